package wakeops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

type fakeCtrl struct {
	did      []string
	sleepErr error
}

func (f *fakeCtrl) Status(ctx context.Context, s config.Service) wake.Status {
	f.did = append(f.did, "status "+s.Name)
	return wake.Status{Service: s.Name, State: wake.Asleep}
}

func (f *fakeCtrl) Wake(ctx context.Context, s config.Service) wake.Status {
	f.did = append(f.did, "wake "+s.Name)
	return wake.Status{Service: s.Name, State: wake.Waking, Stage: wake.StageNoTask}
}

func (f *fakeCtrl) Sleep(ctx context.Context, s config.Service) (wake.Status, error) {
	f.did = append(f.did, "sleep "+s.Name)
	return wake.Status{Service: s.Name, State: wake.Asleep}, f.sleepErr
}

func (f *fakeCtrl) Databases(ctx context.Context, s config.Service) []database.Database {
	f.did = append(f.did, "databases "+s.Name)
	var out []database.Database
	for _, d := range s.DependsOn {
		out = append(out, database.Database{Dependency: d, Status: database.StatusStopped})
	}
	return out
}

func TestCommands(t *testing.T) {
	one := config.Services{{Name: "web", Cluster: "c"}}
	two := config.Services{{Name: "web", Cluster: "c", Host: "a"}, {Name: "api", Cluster: "c", Host: "b"}}
	dry := true
	tests := []struct {
		name     string
		services config.Services
		cmd      invoke.Command
		sleep    error
		want     string
		wantErr  string
	}{
		{"status of the only service", one, invoke.Command{Action: "status"}, nil, "status web", ""},
		{"wake by name", two, invoke.Command{Action: "wake", Service: "api"}, nil, "wake api", ""},
		{"sleep by cluster/name", two, invoke.Command{Action: "sleep", Service: "c/web"}, nil, "sleep web", ""},
		{"a failed sleep is an error", one, invoke.Command{Action: "sleep"}, errors.New("throttled"), "sleep web", "throttled"},
		{"name needed with two services", two, invoke.Command{Action: "wake"}, nil, "", "service is required"},
		{"unknown action", one, invoke.Command{Action: "reboot"}, nil, "", "unknown action"},
		{"dryRun belongs to Auto-Sleep", one, invoke.Command{Action: "wake", DryRun: &dry}, nil, "", "Auto-Sleep option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeCtrl{sleepErr: tc.sleep}
			out, err := Operator(f, tc.services)(context.Background(), tc.cmd)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if r, ok := out.(Result); !ok || r.Action != tc.cmd.Action {
				t.Fatalf("answer %#v", out)
			}
			if got := strings.Join(f.did, ","); got != tc.want {
				t.Fatalf("did %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorsSayTheirKindAndTheFieldAtFault(t *testing.T) {
	one := config.Services{{Name: "web", Cluster: "c"}}
	two := config.Services{{Name: "web", Cluster: "c", Host: "a"}, {Name: "api", Cluster: "c", Host: "b"}}
	dry := true
	tests := []struct {
		name     string
		services config.Services
		cmd      invoke.Command
		sleep    error
		kind     invoke.Kind
		field    string
		code     string
	}{
		{"an unknown action", one, invoke.Command{Action: "reboot", Service: "nope"}, nil, invoke.UnknownAction, "action", ""},
		{"dryRun, an Auto-Sleep option", one, invoke.Command{Action: "status", DryRun: &dry}, nil, invoke.InvalidRequest, "dryRun", ""},
		{"a service not configured", two, invoke.Command{Action: "status", Service: "nope"}, nil, invoke.UnknownService, "service", ""},
		{"no service named among several", two, invoke.Command{Action: "wake"}, nil, invoke.UnknownService, "service", ""},
		{"a throttled sleep", one, invoke.Command{Action: "sleep"}, fmt.Errorf("update service: %w", &smithy.GenericAPIError{Code: "ThrottlingException"}), invoke.AWSError, "", "ThrottlingException"},
		{"a sleep of a service ECS does not know", one, invoke.Command{Action: "sleep"}, fmt.Errorf("describe services: %w", ecsservice.ErrServiceNotFound), invoke.ServiceNotFound, "service", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Operator(&fakeCtrl{sleepErr: tc.sleep}, tc.services)(context.Background(), tc.cmd)
			var e *invoke.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.Field != tc.field || e.Code != tc.code {
				t.Fatalf("error %#v (%v); want kind %s, field %q, code %q", err, err, tc.kind, tc.field, tc.code)
			}
		})
	}
}

func TestAnswersShowEachDatabasesState(t *testing.T) {
	withDB := config.Services{{Name: "web", Cluster: "c", DependsOn: []config.Dependency{{Kind: config.DependencyRDSInstance, ID: "shop-db"}}}}
	for _, action := range []string{"status", "wake", "sleep"} {
		t.Run(action, func(t *testing.T) {
			out, err := Operator(&fakeCtrl{}, withDB)(context.Background(), invoke.Command{Action: action})
			if err != nil {
				t.Fatal(err)
			}
			dbs := out.(Result).Databases
			if len(dbs) != 1 || dbs[0].ID != "shop-db" || dbs[0].Status != database.StatusStopped {
				t.Fatalf("databases %+v, want shop-db stopped", dbs)
			}
		})
	}
	out, _ := Operator(&fakeCtrl{}, config.Services{{Name: "web", Cluster: "c"}})(context.Background(), invoke.Command{Action: "status"})
	if dbs := out.(Result).Databases; dbs != nil {
		t.Fatalf("a service without databases answered databases %+v", dbs)
	}
}
