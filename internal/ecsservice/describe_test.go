package ecsservice

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

func TestTheSameAnswerSaysWhatTheSavingsReportPrices(t *testing.T) {
	updated := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	strategy := []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}
	tests := []struct {
		name string
		edit func(*ecstypes.Service)
		want func(*Service) bool
	}{
		{"task definition and launch type", func(s *ecstypes.Service) {
			s.TaskDefinition, s.LaunchType = aws.String("arn:aws:ecs:us-east-1:1:task-definition/web:3"), ecstypes.LaunchTypeFargate
		}, func(s *Service) bool {
			return s.TaskDefinition == "arn:aws:ecs:us-east-1:1:task-definition/web:3" && s.LaunchType == "FARGATE"
		}},
		{"a capacity provider strategy", func(s *ecstypes.Service) { s.CapacityProviderStrategy = strategy },
			func(s *Service) bool {
				return len(s.CapacityProviders) == 1 && aws.ToString(s.CapacityProviders[0].CapacityProvider) == "FARGATE_SPOT"
			}},
		{"a public IP", func(s *ecstypes.Service) {
			s.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{AssignPublicIp: ecstypes.AssignPublicIpEnabled}}
		}, func(s *Service) bool { return s.AssignPublicIP }},
		{"no public IP", func(s *ecstypes.Service) {
			s.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{AssignPublicIp: ecstypes.AssignPublicIpDisabled}}
		}, func(s *Service) bool { return !s.AssignPublicIP }},
		{"the primary deployment's last change", func(s *ecstypes.Service) {
			s.Deployments = []ecstypes.Deployment{{Status: aws.String("PRIMARY"), UpdatedAt: &updated}}
		}, func(s *Service) bool { return s.Changed != nil && s.Changed.Equal(updated) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := svc(1, "k", "v")
			tt.edit(d)
			got := FromDescribe(&ecs.DescribeServicesOutput{Services: []ecstypes.Service{*d}}, "c")["web"]
			if !tt.want(got) {
				t.Errorf("read %+v", got)
			}
		})
	}
}
