package ecsservice

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/launch"
)

func TestAnInterfaceSeenBeforeCostsNoEC2Call(t *testing.T) {
	f := &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}
	ec2 := &fakeEC2{}
	c := New(f, ec2)
	for range 3 {
		obs, err := c.Observe(context.Background(), "c", "web", Need{Tasks: true, PublicIPs: true})
		if err != nil || obs.Tasks[0].PublicIP != "127.0.0.10" {
			t.Fatalf("err %v, task %+v", err, obs.Tasks[0])
		}
	}
	if ec2.calls != 1 {
		t.Fatalf("%d EC2 calls for three observations of one task, want 1", ec2.calls)
	}
}

func TestAVanishedNetworkInterfaceIsNoAddressNotAnError(t *testing.T) {
	f := &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}
	gone := &fakeEC2{err: &smithy.GenericAPIError{Code: "InvalidNetworkInterfaceID.NotFound"}}
	obs, err := New(f, gone).Observe(context.Background(), "c", "web", Need{Tasks: true, PublicIPs: true})
	if err != nil || obs.Tasks[0].PublicIP != "" {
		t.Fatalf("err %v, task %+v", err, obs.Tasks[0])
	}
}

// answer is a DescribeNetworkInterfaces answer as EC2 gives it (query protocol XML).
const answer = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r1</requestId>
  <networkInterfaceSet>
    <item>
      <networkInterfaceId>eni-1</networkInterfaceId>
      <privateIpAddress>10.0.1.5</privateIpAddress>
      <association><publicIp>203.0.113.9</publicIp></association>
      <privateIpAddressesSet><item><privateIpAddress>10.0.1.99</privateIpAddress></item></privateIpAddressesSet>
    </item>
    <item>
      <networkInterfaceId>eni-2</networkInterfaceId>
      <privateIpAddress>10.0.1.6</privateIpAddress>
    </item>
  </networkInterfaceSet>
</DescribeNetworkInterfacesResponse>`

// wakeAttempts is how many times Wake's client tries a call in all (launch's maxAttempts).
const wakeAttempts = 3

// wakesEC2 is the SDK's EC2 client as Wake builds it (launch.WithoutThrottleRetries),
// against a local server.
func wakesEC2(t *testing.T, h http.HandlerFunc) *ec2.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return ec2.NewFromConfig(launch.WithoutThrottleRetries(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
	}))
}

func TestPublicIPsAreReadFromOneSignedDescribeNetworkInterfaces(t *testing.T) {
	var form url.Values
	var auth string
	client := wakesEC2(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(b))
		auth = r.Header.Get("Authorization")
		io.WriteString(w, answer)
	})
	got, err := New(nil, client).describePublicIPs(context.Background(), []string{"eni-1", "eni-2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["eni-1"] != "203.0.113.9" {
		t.Fatalf("public IPs %v, want eni-1's only (eni-2 has none)", got)
	}
	if form.Get("Action") != "DescribeNetworkInterfaces" || form.Get("NetworkInterfaceId.1") != "eni-1" || form.Get("NetworkInterfaceId.2") != "eni-2" {
		t.Fatalf("request form %v", form)
	}
	if !strings.Contains(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/ec2/aws4_request") {
		t.Fatalf("request not signed for EC2 in the region: %q", auth)
	}
	// The rest of the answer reads too: each interface's private address.
	out, err := client.DescribeNetworkInterfaces(context.Background(), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-1", "eni-2"}})
	if err != nil || len(out.NetworkInterfaces) != 2 ||
		aws.ToString(out.NetworkInterfaces[0].PrivateIpAddress) != "10.0.1.5" || aws.ToString(out.NetworkInterfaces[1].PrivateIpAddress) != "10.0.1.6" {
		t.Fatalf("answer read as %+v, %v", out, err)
	}
}

func TestEC2ErrorsCarryTheirCodeAndOnlyTransientOnesAreRetried(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		code          string
		wantCalls     int32
		wantTransient bool
	}{
		{"missing interface is final", 400, "InvalidNetworkInterfaceID.NotFound", 1, false},
		{"access denied is final", 403, "UnauthorizedOperation", 1, false},
		{"throttling is not retried: the account's bucket is empty", 503, "RequestLimitExceeded", 1, true},
		{"server error is retried", 500, "InternalError", wakeAttempts, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			client := wakesEC2(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
				io.WriteString(w, `<Response><Errors><Error><Code>`+tc.code+`</Code><Message>nope</Message></Error></Errors><RequestID>x</RequestID></Response>`)
			})
			_, err := New(nil, client).describePublicIPs(context.Background(), []string{"eni-1"})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			var respErr *smithyhttp.ResponseError
			if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != tc.status {
				t.Fatalf("error %v, want HTTP %d", err, tc.status)
			}
			if IsTransient(err) != tc.wantTransient {
				t.Fatalf("IsTransient(%v) = %v, want %v", err, !tc.wantTransient, tc.wantTransient)
			}
			if calls.Load() != tc.wantCalls {
				t.Fatalf("%d calls, want %d", calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestAGarbledEC2AnswerIsAnError(t *testing.T) {
	client := wakesEC2(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<not xml") })
	if _, err := New(nil, client).describePublicIPs(context.Background(), []string{"eni-1"}); err == nil {
		t.Fatal("no error for a garbled answer")
	}
}
