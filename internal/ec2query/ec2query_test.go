package ec2query

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
	"github.com/aws/smithy-go"
)

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

func client(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := New(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	c.backoff = 0
	return c
}

func TestDescribeReadsPublicAndPrivateAddresses(t *testing.T) {
	var form url.Values
	var auth string
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(b))
		auth = r.Header.Get("Authorization")
		io.WriteString(w, answer)
	})
	got, err := c.DescribeNetworkInterfaces(context.Background(), []string{"eni-1", "eni-2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []NetworkInterface{{ID: "eni-1", PrivateIP: "10.0.1.5", PublicIP: "203.0.113.9"}, {ID: "eni-2", PrivateIP: "10.0.1.6"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if form.Get("Action") != "DescribeNetworkInterfaces" || form.Get("NetworkInterfaceId.1") != "eni-1" || form.Get("NetworkInterfaceId.2") != "eni-2" {
		t.Fatalf("request form %v", form)
	}
	if !strings.Contains(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/ec2/aws4_request") {
		t.Fatalf("request not signed for EC2 in the region: %q", auth)
	}
}

func TestErrorsCarryEC2sCodeAndOnlyTransientOnesAreRetried(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		code      string
		wantCalls int32
		wantFault smithy.ErrorFault
	}{
		{"missing interface is final", 400, "InvalidNetworkInterfaceID.NotFound", 1, smithy.FaultClient},
		{"access denied is final", 403, "UnauthorizedOperation", 1, smithy.FaultClient},
		{"throttling is not retried: the account's bucket is empty", 503, "RequestLimitExceeded", 1, smithy.FaultServer},
		{"server error is retried", 500, "InternalError", maxAttempts, smithy.FaultServer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			c := client(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
				io.WriteString(w, `<Response><Errors><Error><Code>`+tc.code+`</Code><Message>nope</Message></Error></Errors><RequestID>x</RequestID></Response>`)
			})
			_, err := c.DescribeNetworkInterfaces(context.Background(), []string{"eni-1"})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code || apiErr.ErrorFault() != tc.wantFault {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			if calls.Load() != tc.wantCalls {
				t.Fatalf("%d calls, want %d", calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestAGarbledAnswerIsAnError(t *testing.T) {
	c := client(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<not xml") })
	if _, err := c.DescribeNetworkInterfaces(context.Background(), []string{"eni-1"}); err == nil {
		t.Fatal("no error for a garbled answer")
	}
}
