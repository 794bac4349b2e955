package invoke

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/jsontest"
)

// allowance is a known difference between a sample and its round trip,
// with the reason: listed, never hidden.
type allowance struct {
	path string
	// added: the type writes an empty value the sample lacks. Otherwise the
	// type drops the sample's value.
	added bool
	why   string
}

// sdkAuthentication: aws-lambda-go's request context has Authentication as a
// struct, which encoding/json writes even with omitempty; API Gateway sends
// it only for mutual TLS, which the HTTP API does not use.
var sdkAuthentication = allowance{path: "requestContext.authentication", added: true,
	why: "aws-lambda-go writes an empty authentication struct; API Gateway sends one only with mutual TLS"}

// httpEvent reads a sample as Dispatcher.Handle and apigw do.
func httpEvent(sample []byte) ([]jsontest.Difference, error) {
	ev, diffs, err := jsontest.RoundTrip[events.APIGatewayV2HTTPRequest](sample)
	if err != nil {
		return nil, err
	}
	// The event the handler gets from its own encoding is the same event.
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var again events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &again); err != nil || !reflect.DeepEqual(ev, again) {
		return nil, fmt.Errorf("the decoded event does not survive its own encoding: %v", err)
	}
	return diffs, nil
}

// command reads a sample as Dispatcher.Handle reads an operator's invocation.
func command(sample []byte) ([]jsontest.Difference, error) {
	_, diffs, err := jsontest.RoundTrip[Command](sample)
	return diffs, err
}

// scheduled reads a sample as aws-lambda-go's EventBridge event: sleepops
// reads only its source and detail-type, and the whole event must be one.
func scheduled(sample []byte) ([]jsontest.Difference, error) {
	_, diffs, err := jsontest.RoundTrip[events.EventBridgeEvent](sample)
	return diffs, err
}

// albRequest and websocketEvent read a sample as aws-lambda-go's own type for
// it: the dispatcher refuses these events before decoding one, and the round
// trip holds the sample to the shape the load balancer or the API sends.
func albRequest(sample []byte) ([]jsontest.Difference, error) {
	_, diffs, err := jsontest.RoundTrip[events.ALBTargetGroupRequest](sample)
	return diffs, err
}

func websocketEvent(sample []byte) ([]jsontest.Difference, error) {
	_, diffs, err := jsontest.RoundTrip[events.APIGatewayWebsocketProxyRequest](sample)
	return diffs, err
}

// sampleCase is a sample of testdata/lambda, the way the code reads it, and
// the differences its round trip is known to make.
type sampleCase struct {
	file  string
	read  func([]byte) ([]jsontest.Difference, error)
	allow []allowance
}

func TestSamplesRoundTripThroughTheTypesTheCodeReads(t *testing.T) {
	tests := []sampleCase{
		{"http-visit-browser.json", httpEvent, []allowance{sdkAuthentication}},
		{"http-status.json", httpEvent, []allowance{sdkAuthentication}},
		{"http-head-root.json", httpEvent, []allowance{sdkAuthentication}},
		{"http-retry-form.json", httpEvent, []allowance{sdkAuthentication}},
		{"invoke-status.json", command, nil},
		{"invoke-wake.json", command, nil},
		{"invoke-sleep.json", command, nil},
		{"invoke-evaluate-dry-run.json", command, nil},
		{"invoke-calibrate.json", command, nil},
		// A well-formed command with an action the functions refuse.
		{"bad-invoke-unknown-action.json", command, nil},
		{"bad-invoke-unknown-field.json", command, []allowance{{path: "servce",
			why: "the misspelt field the sample is about: Command has none, and the dispatcher refuses the event (TestBadEventsAreClearErrors)"}}},
		{"eventbridge-scheduled.json", scheduled, nil},
		// Events of other sources, refused with what to use instead (TestEventsOfOtherSourcesSayWhatTheyAre).
		{"bad-alb-request.json", albRequest, nil},
		{"bad-websocket-message.json", websocketEvent, nil},
	}
	// Samples no type reads: the dispatcher refuses them before decoding one.
	refused := []string{"bad-apigw-payload-1.0.json", "bad-empty-object.json", "bad-not-json.txt"}

	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "lambda", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if !slices.Contains(refused, name) && !slices.ContainsFunc(tests, func(tc sampleCase) bool { return tc.file == name }) {
			t.Errorf("testdata/lambda/%s is not listed here: say which type the code reads it as", name)
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(files), func(f string) bool { return !strings.HasPrefix(filepath.Base(f), "http-") })); n < 4 {
		t.Fatalf("found %d HTTP samples", n)
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			diffs, err := tc.read(sample(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkAllowed(t, diffs, tc.allow)
		})
	}
}

// checkAllowed fails for each difference no allowance explains, and for each
// allowance that explains nothing (the list stays true).
func checkAllowed(t *testing.T, diffs []jsontest.Difference, allow []allowance) {
	t.Helper()
	used := make([]bool, len(allow))
	for _, d := range diffs {
		i := slices.IndexFunc(allow, func(a allowance) bool {
			if a.added {
				return a.path == d.Path && d.Added() && jsontest.Empty(d.Got)
			}
			return a.path == d.Path && d.Dropped()
		})
		if i < 0 {
			t.Errorf("the round trip changes the sample: %s", d)
			continue
		}
		used[i] = true
	}
	for i, a := range allow {
		if !used[i] {
			t.Errorf("allowed difference at %s did not occur (%s): remove it", a.path, a.why)
		}
	}
}
