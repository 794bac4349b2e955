package ecsservice

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

func TestMissingServicesAreErrServiceNotFound(t *testing.T) {
	inactive := svc(0)
	inactive.Status = aws.String("INACTIVE")
	tests := []struct {
		name string
		ecs  *fakeECS
		// inBatch: DescribeBatch answers without an error, leaving the service out.
		inBatch bool
		// cause is what else the error carries: ECS's failure, or its error code.
		cause func(error) bool
	}{
		{"missing", &fakeECS{}, true, func(err error) bool {
			var f *FailureError
			return errors.As(err, &f) && len(f.Failures) == 1 && aws.ToString(f.Failures[0].Reason) == "MISSING" && strings.Contains(err.Error(), "web: MISSING")
		}},
		{"inactive", &fakeECS{service: inactive}, true, func(err error) bool { return strings.Contains(err.Error(), "INACTIVE") }},
		{"no cluster", &fakeECS{service: svc(1), describeErr: &smithy.GenericAPIError{Code: "ClusterNotFoundException"}}, false, hasCode("ClusterNotFoundException")},
		{"service not found", &fakeECS{service: svc(1), describeErr: &smithy.GenericAPIError{Code: "ServiceNotFoundException"}}, false, hasCode("ServiceNotFoundException")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.ecs, &fakeEC2{}).Observe(context.Background(), "c", "web", Need{})
			if !errors.Is(err, ErrServiceNotFound) || IsTransient(err) {
				t.Fatalf("error %v, want ErrServiceNotFound, not transient", err)
			}
			if !tc.cause(err) {
				t.Fatalf("error %v does not carry what ECS said", err)
			}
			got, err := New(tc.ecs, &fakeEC2{}).DescribeBatch(context.Background(), "c", []string{"web"})
			if tc.inBatch && (err != nil || got["web"] != nil) {
				t.Fatalf("DescribeBatch: %v, %v; want the service left out, no error", got, err)
			}
			if !tc.inBatch && !errors.Is(err, ErrServiceNotFound) {
				t.Fatalf("DescribeBatch: %v, want ErrServiceNotFound", err)
			}
		})
	}
}

func hasCode(code string) func(error) bool {
	return func(err error) bool {
		var apiErr smithy.APIError
		return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
	}
}

func TestDescribeBatchReadsServicesWithTheirTagsInOneCall(t *testing.T) {
	f := &clusterECS{services: map[string]*ecstypes.Service{"a": named("a", 1), "b": named("b", 0)}}
	got, err := New(f, nil).DescribeBatch(context.Background(), "c", []string{"a", "b", "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls["DescribeServices"] != 1 || len(got) != 2 || got["a"].WokenAt == nil || got["b"].DesiredCount != 0 {
		t.Fatalf("%d calls, services %v", f.calls["DescribeServices"], got)
	}
	if _, err := New(f, nil).DescribeBatch(context.Background(), "c", make([]string, DescribeServicesBatch+1)); err == nil {
		t.Fatal("more services than DescribeServices takes were accepted")
	}
}

func TestWakeSecondsAreReadSpaceOrCommaSeparated(t *testing.T) {
	for _, v := range []string{"41 38 44", "41,38,44", " 41  38,44 "} {
		out := &ecs.DescribeServicesOutput{Services: []ecstypes.Service{*svc(1, TagWakeSeconds, v)}}
		got := FromDescribe(out, "c")["web"].WakeSeconds
		if len(got) != 3 || got[0] != 41 || got[2] != 44 {
			t.Errorf("%q read as %v", v, got)
		}
	}
}
