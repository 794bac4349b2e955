package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/apigw"
)

func sample(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lambda", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dispatcher(got *[]string) Dispatcher {
	return Dispatcher{
		HTTP: apigw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*got = append(*got, "http "+r.Method+" "+r.URL.Path)
		})),
		Operator: func(ctx context.Context, cmd Command) (any, error) {
			*got = append(*got, "command "+cmd.Action+" "+cmd.Service)
			return map[string]string{"ok": cmd.Action}, nil
		},
		Other: func(ctx context.Context, raw json.RawMessage) (any, error) {
			*got = append(*got, "other")
			return nil, nil
		},
	}
}

func TestEventsReachTheirHandler(t *testing.T) {
	tests := []struct{ file, want string }{
		{"http-visit-browser.json", "http GET /some/path"},
		{"http-head-root.json", "http HEAD /"},
		{"http-retry-form.json", "http POST /_wake/retry"},
		{"invoke-status.json", "command status "},
		{"invoke-wake.json", "command wake web"},
		{"invoke-sleep.json", "command sleep web"},
		{"invoke-evaluate-dry-run.json", "command evaluate "},
		{"eventbridge-scheduled.json", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var got []string
			out, err := dispatcher(&got).Handle(context.Background(), sample(t, tc.file))
			if err != nil || len(got) != 1 || got[0] != tc.want {
				t.Fatalf("got %v (%v), want %q", got, err, tc.want)
			}
			if strings.HasPrefix(tc.want, "http") {
				if _, ok := out.(events.APIGatewayV2HTTPResponse); !ok {
					t.Fatalf("HTTP event answered %T, want an API Gateway response", out)
				}
			}
		})
	}
}

func TestBadEventsAreClearErrors(t *testing.T) {
	tests := []struct{ file, says string }{
		{"bad-apigw-payload-1.0.json", "payload format 2.0"},
		{"bad-not-json.txt", "not a JSON object"},
		{"bad-invoke-unknown-field.json", "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var got []string
			_, err := dispatcher(&got).Handle(context.Background(), sample(t, tc.file))
			if !errors.Is(err, ErrBadEvent) || !strings.Contains(err.Error(), tc.says) || len(got) != 0 {
				t.Fatalf("error %v, handlers %v; want ErrBadEvent saying %q", err, got, tc.says)
			}
		})
	}
}

func TestBadEventsSayWhatIsWrongInTheWritersWords(t *testing.T) {
	tests := []struct{ name, event, says string }{
		{"a payload that is not JSON", `not json`, "unrecognised event: not a JSON object: the payload is not JSON at character 2: invalid character 'o'"},
		{"a payload cut short", `{"action":"status"`, "the payload is not JSON at the end"},
		{"JSON that is not an object", `["status"]`, "not a JSON object: want an object, got a list"},
		{"an action that is not a string", `{"action":3}`, "action: want a string, got 3"},
		{"a typo in a command", `{"action":"evaluate","dryrn":true}`, `command: unknown field "dryrn"; did you mean "dryRun"?`},
		{"a dry run that is not true or false", `{"action":"evaluate","dryRun":"yes"}`, `command: dryRun: want true or false, got "yes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			_, err := dispatcher(&got).Handle(context.Background(), json.RawMessage(tc.event))
			if !errors.Is(err, ErrBadEvent) || !strings.Contains(err.Error(), tc.says) || len(got) != 0 {
				t.Fatalf("error %v, handlers %v; want ErrBadEvent saying %q", err, got, tc.says)
			}
		})
	}
}

func TestWithoutAnOtherHandlerUnknownEventsAreRefused(t *testing.T) {
	d := Dispatcher{Operator: func(context.Context, Command) (any, error) { return nil, nil }}
	for _, f := range []string{"bad-empty-object.json", "eventbridge-scheduled.json", "http-visit-browser.json"} {
		if _, err := d.Handle(context.Background(), sample(t, f)); !errors.Is(err, ErrBadEvent) {
			t.Errorf("%s: error %v, want ErrBadEvent", f, err)
		}
	}
}
