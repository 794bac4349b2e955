// Package ec2query makes the one EC2 call the controller needs,
// DescribeNetworkInterfaces, over EC2's query protocol, signed with the SDK's
// SigV4 signer. The SDK's EC2 client would do the same but adds about 30 MB
// to each Lambda binary (10 MB → 40 MB stripped), which every cold start
// downloads and loads.
package ec2query

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// apiVersion is the EC2 API version of the query protocol.
const apiVersion = "2016-11-15"

// maxAttempts: a throttled or failed call is tried this many times in all.
const maxAttempts = 3

// NetworkInterface is what the controller reads of an interface.
type NetworkInterface struct {
	ID        string
	PrivateIP string
	PublicIP  string
}

// Client calls EC2.
type Client struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	signer   *v4.Signer
	http     aws.HTTPClient
	backoff  time.Duration
}

// New returns a client for the configuration's region, credentials and HTTP
// client; AWS_ENDPOINT_URL_EC2 or the configuration's base endpoint
// (AWS_ENDPOINT_URL) replace AWS's own endpoint.
func New(cfg aws.Config) *Client {
	endpoint := os.Getenv("AWS_ENDPOINT_URL_EC2")
	if endpoint == "" && cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint
	}
	if endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		endpoint = "https://ec2." + cfg.Region + "." + domain
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return &Client{endpoint: strings.TrimRight(endpoint, "/") + "/", region: cfg.Region, creds: cfg.Credentials, signer: v4.NewSigner(), http: hc, backoff: 100 * time.Millisecond}
}

// DescribeNetworkInterfaces describes the given interfaces.
func (c *Client) DescribeNetworkInterfaces(ctx context.Context, ids []string) ([]NetworkInterface, error) {
	form := url.Values{"Action": {"DescribeNetworkInterfaces"}, "Version": {apiVersion}}
	for i, id := range ids {
		form.Set("NetworkInterfaceId."+strconv.Itoa(i+1), id)
	}
	var lastErr error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		body, err := c.call(ctx, form.Encode())
		if err == nil {
			return parse(body)
		}
		lastErr = err
		if !retryable(err) || attempt == maxAttempts {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("describe network interfaces: %w", ctx.Err())
		case <-time.After(c.backoff * time.Duration(attempt)):
		}
	}
	return nil, fmt.Errorf("describe network interfaces: %w", lastErr)
}

// PublicIPs returns the public IP of each interface that has one, by interface ID.
func (c *Client) PublicIPs(ctx context.Context, ids []string) (map[string]string, error) {
	nis, err := c.DescribeNetworkInterfaces(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(nis))
	for _, ni := range nis {
		if ni.PublicIP != "" {
			out[ni.ID] = ni.PublicIP
		}
	}
	return out, nil
}

func (c *Client) call(ctx context.Context, payload string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if c.creds == nil {
		return nil, errors.New("no AWS credentials")
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("retrieve credentials: %w", err)
	}
	sum := sha256.Sum256([]byte(payload))
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ec2", c.region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp.StatusCode, body)
	}
	return body, nil
}

// apiError reads EC2's XML error into the smithy error type the rest of the code inspects.
func apiError(status int, body []byte) error {
	var doc struct {
		Errors []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
	}
	e := &smithy.GenericAPIError{Code: "HTTP" + strconv.Itoa(status), Message: http.StatusText(status), Fault: smithy.FaultClient}
	if xml.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		e.Code, e.Message = doc.Errors[0].Code, doc.Errors[0].Message
	}
	if status >= 500 {
		e.Fault = smithy.FaultServer
	}
	return e
}

// retryable: server and network errors are tried again; a throttled call is
// not (RequestLimitExceeded: the account's bucket is empty, and another
// attempt only takes a token the owner's own calls need).
func retryable(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch apiErr.ErrorCode() {
	case "RequestLimitExceeded", "Throttling", "ThrottlingException":
		return false
	case "InternalError", "Unavailable", "ServiceUnavailable":
		return true
	}
	return apiErr.ErrorFault() == smithy.FaultServer
}

func parse(body []byte) ([]NetworkInterface, error) {
	var doc struct {
		Items []struct {
			ID          string `xml:"networkInterfaceId"`
			PrivateIP   string `xml:"privateIpAddress"`
			Association struct {
				PublicIP string `xml:"publicIp"`
			} `xml:"association"`
		} `xml:"networkInterfaceSet>item"`
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("describe network interfaces: read answer: %w", err)
	}
	out := make([]NetworkInterface, 0, len(doc.Items))
	for _, it := range doc.Items {
		out = append(out, NetworkInterface{ID: it.ID, PrivateIP: it.PrivateIP, PublicIP: it.Association.PublicIP})
	}
	return out, nil
}
