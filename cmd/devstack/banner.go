package main

import (
	"fmt"
	"strings"
)

// printBanner tells the person at the console where to go.
func printBanner(o options) {
	sleepLine := fmt.Sprintf("Auto-Sleep puts it back to sleep after %d minutes without traffic (checked every %s).", o.sleepAfter, o.every)
	logFiles := o.logs + "/wake.log, " + o.logs + "/autosleep.log"
	stop := "Ctrl-C stops everything, and prints the demo's savings report first (also: autosleep report)."
	if o.sleepBin == "" {
		sleepLine, logFiles = "Auto-Sleep is not running (-autosleep-bin is empty).", o.logs+"/wake.log"
		stop = "Ctrl-C stops everything."
	}
	fmt.Fprintf(console{}, `
  Open  http://%[1]s/some/path?x=1  — the demo service is asleep: the visit wakes it.
  State curl -s 'http://%[1]s/_wake/status?path=/some/path'
  %[2]s
  Logs  %[3]s
  Env   %[4]s (the emulator, its credentials, the demo service; removed on exit)
  Ask the functions, from another terminal in this folder:
    %[5]s
  %[6]s

`, o.listen, sleepLine, logFiles, o.envFile, strings.Join(invokeCommands(o), "\n    "), stop)
}
