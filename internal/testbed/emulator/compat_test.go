package emulator

import (
	"encoding/json"
	"testing"
)

func TestMendECSTurnsTaskNumbersIntoStrings(t *testing.T) {
	in := `{"tasks":[{"cpu":256,"memory":512,"containers":[{"cpu":256,"memory":512,"memoryReservation":128,"name":"app"}],"lastStatus":"RUNNING"}],"failures":[]}`
	var out struct {
		Tasks []struct {
			CPU        string `json:"cpu"`
			Memory     string `json:"memory"`
			LastStatus string `json:"lastStatus"`
			Containers []struct {
				CPU               string `json:"cpu"`
				Memory            string `json:"memory"`
				MemoryReservation string `json:"memoryReservation"`
			} `json:"containers"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal(mendECS([]byte(in)), &out); err != nil {
		t.Fatalf("mended body does not fit the ECS API's types: %v", err)
	}
	if out.Tasks[0].CPU != "256" || out.Tasks[0].Containers[0].MemoryReservation != "128" || out.Tasks[0].LastStatus != "RUNNING" {
		t.Fatalf("mended %+v", out)
	}
	stop := `{"task":{"cpu":256,"containers":[{"cpu":0}]}}`
	if got := string(mendECS([]byte(stop))); got != `{"task":{"containers":[{"cpu":"0"}],"cpu":"256"}}` {
		t.Fatalf("StopTask answer mended to %s", got)
	}
	other := `{"services":[{"desiredCount":1}]}`
	if got := string(mendECS([]byte(other))); got != other {
		t.Fatalf("an answer without tasks changed: %s", got)
	}
}
