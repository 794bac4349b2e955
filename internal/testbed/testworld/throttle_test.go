package testworld

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awserror"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/launch"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// viaGate is an AWS configuration whose clients call the emulator through the
// gate, with no retries, so every throttled answer is seen.
func viaGate(w *World) aws.Config {
	return aws.Config{
		Region:           emulator.Region,
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(w.Gate.URL),
		RetryMaxAttempts: 1,
	}
}

func TestTheThrottleModelAnswersAsECSAndEC2Do(t *testing.T) {
	w := Start(t)
	w.CreateService(t, "web", 0)
	w.Gate.Throttle([]BucketSpec{
		{Name: "ECS service read", Ops: []string{"DescribeServices"}, Burst: 3, Rate: 0.01},
		{Name: "EC2 DescribeNetworkInterfaces", Ops: []string{"DescribeNetworkInterfaces"}, Burst: 1, Rate: 0.01, EC2: true},
	})
	cfg := viaGate(w)
	ctx := context.Background()

	ecsClient := ecs.NewFromConfig(cfg)
	var errs []error
	for range 4 {
		_, err := ecsClient.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(Cluster), Services: []string{"web"}})
		errs = append(errs, err)
	}
	for i, err := range errs[:3] {
		if err != nil {
			t.Fatalf("call %d inside the burst: %v", i, err)
		}
	}
	assertThrottled(t, "ECS", errs[3], "ThrottlingException", http.StatusBadRequest)

	// EC2, through the SDK's EC2 client as Wake builds it (a throttled call is
	// not retried), and through one with no retries at all.
	wakeCfg := cfg
	wakeCfg.RetryMaxAttempts = 0 // Wake's own attempts, not viaGate's one
	wake := ec2.NewFromConfig(launch.WithoutThrottleRetries(wakeCfg))
	interfaces := &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-00000000"}}
	if _, err := wake.DescribeNetworkInterfaces(ctx, interfaces); err != nil && !awserror.HasCode(err, "InvalidNetworkInterfaceID.NotFound") {
		t.Fatalf("first EC2 call, inside the burst: %v", err)
	}
	_, err := wake.DescribeNetworkInterfaces(ctx, interfaces)
	assertThrottled(t, "EC2, Wake's client", err, "RequestLimitExceeded", http.StatusServiceUnavailable)
	if !ecsservice.IsTransient(err) {
		t.Fatalf("EC2 throttling not taken as transient: %v", err)
	}
	_, err = ec2.NewFromConfig(cfg).DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
	assertThrottled(t, "EC2", err, "RequestLimitExceeded", http.StatusServiceUnavailable)

	usage := map[string]BucketUsage{}
	for _, u := range w.Gate.Usage() {
		usage[u.Name] = u
	}
	if u := usage["ECS service read"]; u.Calls != 4 || u.Throttled != 1 || u.PeakPerSecond < 2 {
		t.Fatalf("ECS service read usage %+v, want 4 calls, 1 throttled", u)
	}
	if u := usage["EC2 DescribeNetworkInterfaces"]; u.Throttled != 2 {
		// Neither client retries a throttled call (Wake's by design, the other as set up here).
		t.Fatalf("EC2 usage %+v, want the two calls past the burst throttled", u)
	}
}

func assertThrottled(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("%s over its bucket: %v, want %s", what, err, code)
	}
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != status {
		t.Fatalf("%s throttled with HTTP %v, want %d", what, err, status)
	}
}

func TestTheSchedulerTakesTasksThroughFargateStages(t *testing.T) {
	w := Start(t)
	w.CreateService(t, "web", 0)
	s := w.StartScheduler(t, []string{"web"}, 18080, Timing{Pending: 600 * time.Millisecond, Running: 1500 * time.Millisecond, App: 2500 * time.Millisecond})
	w.SetDesired(t, "web", 1)
	ecsClient := ecs.NewFromConfig(viaGate(w))
	ctx := context.Background()
	var seen []string
	Eventually(t, 15*time.Second, "the app answers", func() bool {
		list, err := ecsClient.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(Cluster), ServiceName: aws.String("web")})
		if err != nil || len(list.TaskArns) == 0 {
			return false
		}
		out, err := ecsClient.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(Cluster), Tasks: list.TaskArns})
		if err != nil || len(out.Tasks) == 0 {
			return false
		}
		st := aws.ToString(out.Tasks[0].LastStatus)
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if st == "RUNNING" && out.Tasks[0].StartedAt == nil {
			t.Fatal("a RUNNING task without startedAt")
		}
		return !s.AppAt("web").IsZero()
	})
	if len(seen) < 3 || seen[0] != "PROVISIONING" || seen[len(seen)-1] != "RUNNING" {
		t.Fatalf("statuses seen %v, want PROVISIONING, PENDING, RUNNING", seen)
	}
	w.SetDesired(t, "web", 0)
	Eventually(t, 5*time.Second, "the task stops on scale-in", func() bool { return s.AppAt("web").IsZero() })
}

// TestTheGateRefusesTagsAsECSDoes: a value outside ECS's tag pattern (a
// comma), a value over 256 characters, and any tag on a short-ARN service
// get InvalidParameterException, through the SDK; a good tag passes.
func TestTheGateRefusesTagsAsECSDoes(t *testing.T) {
	w := Start(t)
	w.CreateService(t, "web", 0)
	e := ecs.NewFromConfig(aws.Config{Region: emulator.Region, Credentials: aws.NewCredentialsCache(staticCreds{})}, func(o *ecs.Options) { o.BaseEndpoint = aws.String(w.Gate.URL) })
	long := "arn:aws:ecs:" + emulator.Region + ":123456789012:service/" + Cluster + "/web"
	for _, tc := range []struct {
		arn, value string
		refused    bool
	}{
		{long, "41 38 44", false},
		{long, "2026-11-25T03:52:12.123Z", false},
		{long, "41,38,44", true},
		{long, strings.Repeat("9", 257), true},
		{"arn:aws:ecs:" + emulator.Region + ":123456789012:service/web", "1", true},
	} {
		_, err := e.TagResource(context.Background(), &ecs.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: []ecstypes.Tag{{Key: aws.String("scale-to-zero:x"), Value: aws.String(tc.value)}}})
		var api smithy.APIError
		refused := errors.As(err, &api) && api.ErrorCode() == "InvalidParameterException"
		if refused != tc.refused || (!tc.refused && err != nil) {
			t.Errorf("tag %s = %.20q: %v, want refused %v", tc.arn, tc.value, err, tc.refused)
		}
	}
}
