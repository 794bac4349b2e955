// Command echo is a Lambda function for the front's tests: it answers an HTTP
// API event with the event itself and its process id, and can be told to
// sleep (?sleep=MS), use CPU (?burn=MS of CPU time), fail (?fail=1), exit (?exit=1) or answer oddly (?raw=...).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (any, error) {
		q := ev.QueryStringParameters
		if ms, err := strconv.Atoi(q["sleep"]); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		if ms, err := strconv.Atoi(q["burn"]); err == nil {
			burn(time.Duration(ms) * time.Millisecond)
		}
		switch {
		case q["fail"] != "":
			return nil, errors.New("asked to fail")
		case q["exit"] != "":
			os.Exit(3)
		case q["raw"] == "nostatus":
			return map[string]string{"hello": "world"}, nil
		case q["raw"] == "binary":
			return events.APIGatewayV2HTTPResponse{StatusCode: 201, IsBase64Encoded: true, Body: base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}),
				Headers: map[string]string{"Content-Type": "application/octet-stream"}, Cookies: []string{"a=1; Path=/", "b=2"}}, nil
		}
		body, _ := json.Marshal(map[string]any{"pid": os.Getpid(), "memory": os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "event": ev})
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(body), Headers: map[string]string{"Content-Type": "application/json"}}, nil
	})
}

// burn spins until the process has used d of CPU time.
func burn(d time.Duration) {
	var ru syscall.Rusage
	for {
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			panic(err)
		}
		if time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) >= d {
			return
		}
		for range 100_000 {
		}
	}
}
