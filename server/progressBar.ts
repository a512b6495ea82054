// A progress bar for long commands on a terminal: redrawn in place on a TTY, a line every
// tenth otherwise (a log file or CI gets ten lines, not thousands).
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  let lastTenth = -1
  return (done, total) => {
    const share = total ? done / total : 1
    if (stream.isTTY) {
      const width = 30
      const filled = Math.round(share * width)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}% ${done}/${total}${done >= total ? '\n' : ''}`)
      return
    }
    const tenth = Math.floor(share * 10)
    if (tenth > lastTenth) {
      lastTenth = tenth
      stream.write(`${label}: ${Math.round(share * 100)}% (${done}/${total})\n`)
    }
  }
}
