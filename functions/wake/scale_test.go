package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// Wake on Lambda's real concurrency: visitors reach the built binary through
// the Lambda stand-in (one request per execution environment, environments
// started as requests overlap, no affinity), and Wake reaches the emulator
// through the throttle model of the account's ECS and EC2 buckets, with tasks
// that take their time through PROVISIONING, PENDING and RUNNING.
//
// make test runs the scenarios at a reduced size and checks what must hold;
// make bench-scale runs them at full size (SCALE=full), side by side with the
// design before this one when SCALE_BASELINE_BIN names its binary, and prints
// the table.

// scaleSize is how big the scenarios are.
type scaleSize struct {
	timing      testworld.Timing
	one, few    int // visitors of scenarios 1 and 2
	crowd       int // visitors of scenario 3, arriving within crowdWithin
	crowdWithin time.Duration
	services    int // scenario 4: services woken at once, perService visitors each
	perService  int
	botRate     int // scenario 5: requests a second, for botFor
	botFor      time.Duration
}

var (
	fullSize = scaleSize{timing: testworld.Timing{Pending: 5 * time.Second, Running: 20 * time.Second, App: 35 * time.Second},
		one: 1, few: 20, crowd: 200, crowdWithin: 2 * time.Second, services: 50, perService: 2, botRate: 100, botFor: 60 * time.Second}
	// The CI size's crowd arrives at 20 a second, not 40. Each environment
	// runs on its memory's share of a CPU, as on Lambda, but here they all
	// share this machine's 2 cores too, where Lambda gives each its own: 40
	// cold starts in a second pile up to the reserved concurrency on a loaded
	// machine and fail the test for the machine, not for Wake. The full size
	// keeps 100 a second, on a quiet machine.
	ciSize = scaleSize{timing: testworld.Timing{Pending: time.Second, Running: 3 * time.Second, App: 8 * time.Second},
		one: 1, few: 5, crowd: 40, crowdWithin: 2 * time.Second, services: 10, perService: 2, botRate: 50, botFor: 8 * time.Second}
)

// maxColdStartCPUWait bounds how long a lone visitor's environment waits for
// its share of a CPU.
const maxColdStartCPUWait = 200 * time.Millisecond

// scaleTokenKey signs the status tokens in the scenarios.
const scaleTokenKey = "scale-scenarios-token-key-0123456789abcdef"

type scenarioResult struct {
	design, name string
	usage        []testworld.BucketUsage
	calls        int
	throttled    int
	updates      int
	front        lambdafront.Stats
	visitors     []visitResult
	delays       []time.Duration // from the app answering to each visitor being sent there
	obsPerSec    float64         // DescribeServices per waking service per second, while waking
	// obsShared is obsPerSec without each environment's first read: a new
	// environment knows nothing and reads once, so that part grows with the
	// environments Lambda starts (at most the reserved concurrency), the rest
	// is the shared, paced observation.
	obsShared   float64
	tokenWindow int // AWS calls while every visitor held a token and the app was silent
	tokenPolls  int // polls in that window
	overScaled  int // services left above their wake count
	botAvg      map[string]float64
	// botSteady is botAvg without each environment's first DescribeServices,
	// as for obsShared: those few (at most the reserved concurrency) fall in
	// the bucket's burst of 100; the steady rate is what drains it.
	botSteady map[string]float64
	botPeak   map[string]int
	note      string
}

func TestWakeAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("the scale scenarios run against the emulator; -short runs the unit tests only")
	}
	size := ciSize
	if os.Getenv("SCALE") == "full" {
		size = fullSize
	}
	designs := []struct{ name, bin string }{{"this design", wakeBin}}
	if b := os.Getenv("SCALE_BASELINE_BIN"); b != "" {
		designs = append([]struct{ name, bin string }{{"before", b}}, designs...)
	}
	var results []scenarioResult
	for _, d := range designs {
		for _, sc := range scenarios(size) {
			t.Run(d.name+"/"+sc.name, func(t *testing.T) {
				// A fresh emulator each time: what one scenario leaves must not slow the next.
				w := testworld.Start(t)
				r := sc.run(t, w, d.bin, size)
				r.design = d.name
				results = append(results, r)
				if d.bin == wakeBin {
					sc.check(t, r)
				}
			})
		}
	}
	t.Logf("\n%s", table(results))
}

type scenario struct {
	name     string
	services int
	visitors int // per service
	within   time.Duration
	bot      string // "", "asleep" or "waking"
	check    func(t *testing.T, r scenarioResult)
}

func scenarios(size scaleSize) []scenario {
	visitorsHold := func(t *testing.T, r scenarioResult) {
		t.Helper()
		if r.throttled != 0 {
			t.Errorf("%d AWS calls throttled, want 0", r.throttled)
		}
		for _, v := range r.visitors {
			if v.pageFaults+v.pollFaults > 0 || v.failed != "" || v.ready.IsZero() {
				t.Errorf("a visitor of %s: %d 5xx answers to the page and %d to polls, failure %q, reached the app: %v; %d polls, last status %s", v.service, v.pageFaults, v.pollFaults, v.failed, !v.ready.IsZero(), v.polls, v.last)
				break
			}
		}
		if r.overScaled != 0 {
			t.Errorf("%d services above their wake count of 1", r.overScaled)
		}
		if r.obsShared > 2 {
			t.Errorf("%.2f observations a second per waking service beyond each of the %d environments' first, want at most 2", r.obsShared, r.front.ColdStarts)
		}
		if r.tokenPolls > 0 && r.tokenWindow != 0 {
			t.Errorf("%d AWS calls while every visitor held a token (%d polls), want 0", r.tokenWindow, r.tokenPolls)
		}
		if p := percentile(r.delays, 95); p > 3*time.Second {
			// The claim (1.5 s) is measured by make bench-scale; this bound only catches a broken path.
			t.Errorf("p95 delay from the app answering to the visitor %s", p)
		}
	}
	// A lone visitor's page comes from a new environment: its start is CPU
	// work (about 40 ms), and Lambda gives CPU by memory. At the module's
	// memory the environment barely waits for its share; at 128 MB (7% of a
	// CPU) it waits about half a second, the time a crowd needs to reach the
	// reserved concurrency. The wait is the kernel's count of time held back
	// by the quota, which a busier machine does not lengthen.
	coldStartHolds := func(t *testing.T, r scenarioResult) {
		t.Helper()
		visitorsHold(t, r)
		if r.front.CPUWaited > maxColdStartCPUWait {
			t.Errorf("the environments waited %s for their share of a CPU (%d MB), want at most %s", r.front.CPUWaited, memoryMB(t), maxColdStartCPUWait)
		}
	}
	botHolds := func(t *testing.T, r scenarioResult) {
		t.Helper()
		if r.throttled != 0 {
			t.Errorf("%d AWS calls throttled, want 0", r.throttled)
		}
		for _, b := range testworld.AccountBuckets {
			if avg := r.botSteady[b.Name]; avg > b.Rate/4 {
				t.Errorf("%s: %.2f calls a second under the bot (beyond each of the %d environments' first read), over a quarter of the %.0f/s refill", b.Name, avg, r.front.ColdStarts, b.Rate)
			}
		}
	}
	return []scenario{
		{name: "1 visitor", services: 1, visitors: size.one, check: coldStartHolds},
		{name: fmt.Sprintf("%d visitors", size.few), services: 1, visitors: size.few, within: size.crowdWithin, check: visitorsHold},
		{name: fmt.Sprintf("%d visitors within %s", size.crowd, size.crowdWithin), services: 1, visitors: size.crowd, within: size.crowdWithin, check: visitorsHold},
		{name: fmt.Sprintf("%d services at once, %d visitors each", size.services, size.perService), services: size.services, visitors: size.perService, within: size.crowdWithin, check: visitorsHold},
		{name: fmt.Sprintf("bot %d/s for %s, asleep", size.botRate, size.botFor), services: 1, bot: "asleep", check: botHolds},
		{name: fmt.Sprintf("bot %d/s for %s, waking", size.botRate, size.botFor), services: 1, visitors: 1, bot: "waking", check: botHolds},
	}
}

var scenarioSeq int

// serviceReadBucket is the bucket of DescribeServices, the read each new
// environment makes first.
const serviceReadBucket = "ECS service read"

func (sc scenario) run(t *testing.T, w *testworld.World, bin string, size scaleSize) scenarioResult {
	scenarioSeq++
	names := make([]string, sc.services)
	var list []map[string]any
	for i := range names {
		names[i] = fmt.Sprintf("x%d-%02d", scenarioSeq, i)
		list = append(list, map[string]any{"name": names[i], "cluster": testworld.Cluster, "pathPrefix": "/" + names[i], "port": appPort})
	}
	w.CreateServices(t, names)
	services, _ := json.Marshal(list)
	sched := w.StartScheduler(t, names, appPort, size.timing)
	w.Gate.Throttle(testworld.AccountBuckets)
	start := time.Now()
	front, err := lambdafront.Start("", lambdafront.Options{
		Bin: bin, Routes: specRoutes(t),
		// As the module deploys Wake: its reserved concurrency, and its
		// memory, which gives each environment its share of a CPU.
		Concurrency: testworld.ModuleDefault(t, "wake_reserved_concurrency"),
		MemoryMB:    memoryMB(t),
		Env:         w.Env("SERVICES="+string(services), "TOKEN_KEY="+scaleTokenKey, "LOG_LEVEL=warn"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = front.Close() })
	client := &http.Client{Timeout: 35 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	deadline := size.timing.App + 30*time.Second
	if sc.bot != "" {
		deadline = size.botFor + 5*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	var mu sync.Mutex
	var results []visitResult
	var wg sync.WaitGroup
	for i, name := range names {
		for v := range sc.visitors {
			wait := time.Duration(0)
			if sc.within > 0 {
				wait = time.Duration(rand.Int64N(int64(sc.within)))
			}
			wg.Go(func() {
				if !pause(ctx, wait) {
					return
				}
				r := visitor{base: front.URL, path: fmt.Sprintf("/%s/page?v=%d", name, v), service: name, ua: browserUA, client: client}.visit(ctx)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			})
		}
		_ = i
	}
	var botCodes map[int]int
	if sc.bot != "" {
		if sc.bot == "waking" {
			// Someone woke it: the bot polls while it wakes.
			testworld.Eventually(t, 10*time.Second, "the visitor wakes the service", func() bool { return w.Desired(t, names[0]) > 0 })
		}
		botCodes = runBot(ctx, client, front.URL, names[0], size.botRate, size.botFor)
		cancel()
	}
	wg.Wait()
	end := time.Now()

	r := scenarioResult{name: sc.name, usage: w.Gate.Usage(), front: front.Stats(), visitors: results}
	log := w.Gate.Log(start)
	for _, c := range log {
		r.calls++
		if c.Throttled {
			r.throttled++
		}
		if c.Op == "UpdateService" {
			r.updates++
		}
	}
	for _, v := range results {
		if at := sched.AppAt(v.service); !v.ready.IsZero() && !at.IsZero() && v.arrived.Before(at) {
			r.delays = append(r.delays, max(0, v.ready.Sub(at)))
		}
	}
	// Observations of each waking service, from the first visit to its app answering.
	if sc.bot == "" {
		wakeEnd := start.Add(size.timing.App + 2*time.Second)
		ds := 0
		for _, c := range log {
			if c.Op == "DescribeServices" && c.At.Before(wakeEnd) {
				ds++
			}
		}
		r.obsPerSec = float64(ds) / float64(sc.services) / wakeEnd.Sub(start).Seconds()
		r.obsShared = float64(max(0, ds-r.front.ColdStarts)) / float64(sc.services) / wakeEnd.Sub(start).Seconds()
		r.tokenWindow, r.tokenPolls = tokenWindow(log, results, sched, names)
	} else {
		r.botAvg, r.botSteady, r.botPeak = map[string]float64{}, map[string]float64{}, map[string]int{}
		for _, u := range r.usage {
			r.botAvg[u.Name] = float64(u.Calls) / end.Sub(start).Seconds()
			steady := u.Calls
			if u.Name == serviceReadBucket {
				steady = max(0, steady-r.front.ColdStarts)
			}
			r.botSteady[u.Name] = float64(steady) / end.Sub(start).Seconds()
			r.botPeak[u.Name] = u.PeakPerSecond
		}
		r.note = fmt.Sprintf("bot answers %v", botCodes)
	}
	for _, n := range names {
		if w.Desired(t, n) > 1 {
			r.overScaled++
		}
	}
	if n := sched.Errors(); n > 0 {
		t.Logf("the scheduler met %d emulator errors", n)
	}
	return r
}

// tokenWindow counts the AWS calls, and the polls, between the moment every
// visitor of the (single) service polled with a token and its app answering.
func tokenWindow(log []testworld.Call, results []visitResult, sched *testworld.Scheduler, names []string) (calls, polls int) {
	if len(names) != 1 || len(results) == 0 {
		return 0, 0
	}
	var from time.Time
	for _, v := range results {
		if v.tokenPolls == 0 {
			return 0, 0
		}
		if v.lastNoToken.After(from) {
			from = v.lastNoToken
		}
	}
	to := sched.AppAt(names[0])
	if to.IsZero() || !from.Before(to) {
		return 0, 0
	}
	for _, c := range log {
		if !c.At.Before(from) && c.At.Before(to) {
			calls++
		}
	}
	for _, v := range results {
		polls += v.tokenPolls // an upper bound on the polls inside the window
	}
	return calls, polls
}

// runBot polls the status and the page of the service at rate requests a
// second for d, as a crawler that ignores every hint.
func runBot(ctx context.Context, client *http.Client, base, service string, rate int, d time.Duration) map[int]int {
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.After(d)
	bot := visitor{base: base, ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", client: client}
	for i := 0; ; i++ {
		select {
		case <-end:
			wg.Wait()
			return codes
		case <-ctx.Done():
			wg.Wait()
			return codes
		case <-tick.C:
		}
		path := "/" + service + "/"
		if i%2 == 0 {
			path = "/_wake/status?path=%2F" + service + "%2F"
		}
		wg.Go(func() {
			code, _, _ := bot.get(ctx, path, "*/*")
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
}

// specRoutes are the HTTP API's routes, from the OpenAPI spec Terraform deploys.
func specRoutes(t *testing.T) []string {
	t.Helper()
	routes, err := lambdafront.RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

func table(results []scenarioResult) string {
	var b strings.Builder
	b.WriteString("| scenario | design | ECS+EC2 calls | peak/s DS · LT+DT · US · Tag · DNI | throttled | UpdateService | environments (invocation median / p99; CPU waited for) | answers | redirect delay median / p95 | DS per waking service per s (bot: avg/s per bucket) | calls while tokens held (polls) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		peaks := make([]string, 0, len(r.usage))
		for _, u := range r.usage {
			peaks = append(peaks, strconv.Itoa(u.PeakPerSecond))
		}
		var codes []string
		for _, code := range sortedKeys(r.front.Codes) {
			codes = append(codes, fmt.Sprintf("%d×%d", code, r.front.Codes[code]))
		}
		delay := "—"
		if len(r.delays) > 0 {
			delay = fmt.Sprintf("%.2f / %.2f s", percentile(r.delays, 50).Seconds(), percentile(r.delays, 95).Seconds())
		}
		obs, tok := "—", "—"
		if r.botAvg == nil {
			obs = fmt.Sprintf("%.2f", r.obsPerSec)
			if r.tokenPolls > 0 {
				tok = fmt.Sprintf("%d (%d)", r.tokenWindow, r.tokenPolls)
			}
		} else {
			var avg []string
			for _, u := range r.usage {
				avg = append(avg, fmt.Sprintf("%.1f", r.botAvg[u.Name]))
			}
			obs = "avg/s " + strings.Join(avg, " · ")
		}
		envs := fmt.Sprintf("%d (%.0f / %.0f ms; CPU wait %.2f s)", r.front.ColdStarts, ms(percentile(r.front.Durations, 50)), ms(percentile(r.front.Durations, 99)), r.front.CPUWaited.Seconds())
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %d | %d | %s | %s | %s | %s | %s |\n", r.name, r.design, r.calls, strings.Join(peaks, " · "),
			r.throttled, r.updates, envs, strings.Join(codes, " "), delay, obs, tok)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sortedKeys(m map[int]int) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// memoryMB is Wake's memory as the module deploys it, or SCALE_MEMORY_MB's
// (make bench-scale MEMORY_MB=…, to see what another size does).
func memoryMB(t *testing.T) int {
	if v := os.Getenv("SCALE_MEMORY_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("SCALE_MEMORY_MB=%q: %v", v, err)
		}
		return n
	}
	return testworld.ModuleDefault(t, "wake_memory_mb")
}
