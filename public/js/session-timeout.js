// Progressive enhancement: a signed-in page moves to the warning page shortly before the
// session's idle timeout, and the warning page to the "signed out" page once it has
// passed. Without JavaScript every signed-in page states the timeout instead.
(function () {
  var body = document.body
  var warnAfter = Number(body.getAttribute('data-session-warning-after'))
  if (warnAfter > 0) {
    window.setTimeout(function () {
      window.location.assign('/account/session-warning?next=' + encodeURIComponent(window.location.pathname + window.location.search))
    }, warnAfter * 1000)
  }
  var ends = document.querySelector('[data-session-ends]')
  if (ends) {
    var seconds = Number(ends.getAttribute('data-session-ends'))
    var next = new URLSearchParams(window.location.search).get('next') || '/account'
    window.setTimeout(function () {
      window.location.assign('/account/timed-out?next=' + encodeURIComponent(next))
    }, (seconds + 5) * 1000)
  }
})()
