package waitpage

import (
	"encoding/json"
	"maps"
	"regexp"
	"testing"
)

var capitals = regexp.MustCompile(`\b[A-Z]{2,}\b`)

func TestThePagesScriptSaysWhatThePageSays(t *testing.T) {
	js, err := assets.ReadFile("assets/wait.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var WORDS = (\{.*\});`).FindSubmatch(js)
	if m == nil {
		t.Fatal("the script has no WORDS")
	}
	var script map[string]string
	if err := json.Unmarshal(m[1], &script); err != nil {
		t.Fatalf("the script's WORDS are not a plain object of strings: %v", err)
	}
	if !maps.Equal(script, visitorWords) {
		t.Fatalf("the script says %v, the first render %v", script, visitorWords)
	}
}

func TestWordsAreTheVisitorsByStateAndStage(t *testing.T) {
	tests := []struct{ state, stage, want string }{
		{"waking", "pending", "Pulling the image and starting the container…"},
		{"waking", "starting-app", "The app is starting up…"},
		{"waking", "checking", "Checking on the service…"},
		{"failed", "", "The service could not start."},
		{"ready", "", "Ready. Taking you there…"},
		{"waking", "a stage from a newer Wake", ""},
	}
	for _, tc := range tests {
		if got := Words(tc.state, tc.stage); got != tc.want {
			t.Errorf("Words(%q, %q) = %q, want %q", tc.state, tc.stage, got, tc.want)
		}
	}
	for k, w := range visitorWords {
		// An operator's words (ECS's task states, in capitals) never reach a visitor.
		if capitals.MatchString(w) {
			t.Errorf("%s: %q speaks ECS", k, w)
		}
	}
}
