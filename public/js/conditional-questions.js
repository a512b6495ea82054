// Progressive enhancement: a question that applies only after a certain answer on the
// same page is hidden until that answer is given. Without JavaScript every such
// question stays on the page, its condition said in words, and the server ignores it
// when it does not apply.
(function () {
  var dependents = Array.prototype.slice.call(document.querySelectorAll('[data-when]'))
  var form = dependents.length && dependents[0].closest('form')
  if (!form) return
  function answers(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]')
    var values = []
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i]
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) continue
      if (input.value) values.push(input.value)
    }
    return values
  }
  function holds(when) {
    var values = answers(when.field)
    if (when.equals !== undefined) return values.indexOf(when.equals) !== -1
    if (when.oneOf) return values.some(function (v) { return when.oneOf.indexOf(v) !== -1 })
    if (when.olderThanDays && values[0]) return (Date.now() - Date.parse(values[0])) / 86400000 > when.olderThanDays
    return false
  }
  function update() {
    dependents.forEach(function (element) {
      var show = holds(JSON.parse(element.getAttribute('data-when')))
      element.hidden = !show
      var hint = element.querySelector('.condition')
      if (hint) hint.hidden = true
    })
  }
  form.addEventListener('change', update)
  form.addEventListener('input', update)
  update()
})()
