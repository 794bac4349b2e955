package testworld

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/tokenbucket"
)

// BucketSpec is one of the per-account, per-Region request buckets AWS
// throttles with: Burst tokens at most, Rate tokens back each second, shared
// by every caller of the account (the owner's deploys, CI and Terraform too).
type BucketSpec struct {
	Name  string
	Ops   []string
	Burst int
	Rate  float64
	// EC2 buckets answer in EC2's query-protocol XML; the others as ECS does.
	EC2 bool
}

// AccountBuckets are the buckets Wake's calls fall in, with AWS's documented
// default sizes:
//   - ECS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
//     (service read: DescribeServices 100/20; cluster resource read: ListTasks and
//     DescribeTasks share one bucket, 100/20; service modify: UpdateService 50/5;
//     tag modify: TagResource, UntagResource 20/10).
//   - EC2: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
//     (non-mutating actions, each its own bucket: DescribeNetworkInterfaces 100/20).
var AccountBuckets = []BucketSpec{
	{Name: "ECS service read", Ops: []string{"DescribeServices"}, Burst: 100, Rate: 20},
	{Name: "ECS cluster resource read", Ops: []string{"ListTasks", "DescribeTasks"}, Burst: 100, Rate: 20},
	{Name: "ECS service modify", Ops: []string{"UpdateService"}, Burst: 50, Rate: 5},
	{Name: "ECS tag modify", Ops: []string{"TagResource", "UntagResource"}, Burst: 20, Rate: 10},
	{Name: "EC2 DescribeNetworkInterfaces", Ops: []string{"DescribeNetworkInterfaces"}, Burst: 100, Rate: 20, EC2: true},
}

// throttle is the gate's model of the account's buckets; it also counts the
// calls each bucket saw in each second.
type throttle struct {
	start   time.Time
	buckets map[string]*modelBucket // by operation
	all     []*modelBucket
	reqID   atomic.Int64
}

type modelBucket struct {
	spec   BucketSpec
	bucket *tokenbucket.Bucket

	mu        sync.Mutex
	perSecond map[int]int // second since start → calls
	calls     int
	throttled int
}

func newThrottle(specs []BucketSpec, now time.Time) *throttle {
	t := &throttle{start: now, buckets: map[string]*modelBucket{}}
	for _, s := range specs {
		b := &modelBucket{spec: s, bucket: tokenbucket.New(s.Rate, s.Burst), perSecond: map[int]int{}}
		t.all = append(t.all, b)
		for _, op := range s.Ops {
			t.buckets[op] = b
		}
	}
	return t
}

// take counts a call of op at now and reports the bucket that throttles it, if any.
func (t *throttle) take(op string, now time.Time) (*modelBucket, bool) {
	b := t.buckets[op]
	if b == nil {
		return nil, false
	}
	b.mu.Lock()
	b.calls++
	b.perSecond[int(now.Sub(t.start)/time.Second)]++
	b.mu.Unlock()
	if b.bucket.Allow(now) {
		return b, false
	}
	b.mu.Lock()
	b.throttled++
	b.mu.Unlock()
	return b, true
}

// answer writes the throttling error exactly as the service does.
func (t *throttle) answer(w http.ResponseWriter, b *modelBucket) {
	id := "throttle-" + strconv.FormatInt(t.reqID.Add(1), 10)
	if b.spec.EC2 {
		// EC2 query API: HTTP 503 with RequestLimitExceeded in its XML error document
		// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
		writeEC2Error(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.", id)
		return
	}
	// ECS (AWS JSON 1.1): HTTP 400, ThrottlingException, "Rate exceeded", as the
	// request-throttling page above shows it.
	writeJSONError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded", id)
}

// writeEC2Error answers as EC2's query API does: its XML error document.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
func writeEC2Error(w http.ResponseWriter, status int, code, message, id string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, code, message, id)
}

// writeJSONError answers as the AWS JSON 1.1 protocol does (ECS, CloudWatch):
// the code in X-Amzn-Errortype and in the body's __type.
func writeJSONError(w http.ResponseWriter, status int, code, message, id string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("X-Amzn-Requestid", id)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, message)
}

// ec2Request reports whether r calls EC2, by the service its signature is
// scoped to (Credential=KEY/DATE/REGION/ec2/aws4_request).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
func ec2Request(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "/ec2/aws4_request")
}

// BucketUsage is what one bucket saw.
type BucketUsage struct {
	Name      string
	Calls     int
	Throttled int
	// PeakPerSecond is the most calls in any one second.
	PeakPerSecond int
	// Refill is the bucket's rate, for comparing.
	Refill float64
}

func (t *throttle) usage() []BucketUsage {
	var out []BucketUsage
	for _, b := range t.all {
		b.mu.Lock()
		u := BucketUsage{Name: b.spec.Name, Calls: b.calls, Throttled: b.throttled, Refill: b.spec.Rate}
		for _, n := range b.perSecond {
			u.PeakPerSecond = max(u.PeakPerSecond, n)
		}
		b.mu.Unlock()
		out = append(out, u)
	}
	return out
}

// Throttle makes the gate answer as AWS does once one of the buckets is empty,
// starting with full buckets now.
func (g *Gate) Throttle(specs []BucketSpec) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.throttle = newThrottle(specs, time.Now())
}

// Usage is what each bucket of the throttle model saw since Throttle.
func (g *Gate) Usage() []BucketUsage {
	g.mu.Lock()
	th := g.throttle
	g.mu.Unlock()
	if th == nil {
		return nil
	}
	return th.usage()
}
