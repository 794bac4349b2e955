package main

import (
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestECSAndEC2CallsPerVisit counts the AWS calls behind visitor requests in
// each state, for one visitor and for 50 at once, against the emulator. Run
// with -v to see the table.
func TestECSAndEC2CallsPerVisit(t *testing.T) {
	w := testworld.Start(t)
	states := []struct {
		name string
		// prepare puts the service in the state; it returns nothing to clean up beyond the test's own.
		prepare func(t *testing.T, service string)
		// want is the most calls one fresh observation may take in this state.
		want int
	}{
		{"asleep (the visit wakes it)", func(t *testing.T, service string) {}, 3},
		{"waking, no task yet", func(t *testing.T, service string) { setDesired(t, w, service, 1) }, 3},
		{"waking, task running, app silent", func(t *testing.T, service string) {
			setDesired(t, w, service, 1)
			w.RunTask(t, service)
		}, 4},
		{"ready", func(t *testing.T, service string) {
			setDesired(t, w, service, 1)
			task := w.RunTask(t, service)
			l := testworld.Listen(t, task.IP, appPort)
			go acceptAll(l)
		}, 4},
	}
	var table []string
	for i, st := range states {
		for _, visitors := range []int{1, 50} {
			service := fmt.Sprintf("calls-%d-%d", i, visitors)
			w.CreateService(t, service, 0)
			st.prepare(t, service)
			base := startWake(t, w, service, "OBSERVE_TTL_MS=5000")
			w.Gate.ResetCounts()
			var wg sync.WaitGroup
			for range visitors {
				wg.Go(func() {
					req, _ := http.NewRequest(http.MethodGet, base+"/p?q=1", nil)
					req.Header.Set("Accept", "text/html")
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			calls := w.Gate.Calls()
			total := 0
			var ops []string
			for op, n := range calls {
				total += n
				ops = append(ops, fmt.Sprintf("%s×%d", op, n))
			}
			sort.Strings(ops)
			if total > st.want {
				t.Errorf("%s, %d visitors: %d calls (%s), want at most %d", st.name, visitors, total, strings.Join(ops, " "), st.want)
			}
			table = append(table, fmt.Sprintf("| %-34s | %2d | %2d | %.2f | %s |", st.name, visitors, total, float64(total)/float64(visitors), strings.Join(ops, " ")))
		}
	}
	t.Logf("AWS calls per visit\n| state | visitors | calls | per visitor | operations |\n%s", strings.Join(table, "\n"))
}

func setDesired(t *testing.T, w *testworld.World, service string, n int32) {
	t.Helper()
	w.SetDesired(t, service, n)
}

func acceptAll(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}
