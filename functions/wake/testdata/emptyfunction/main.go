// Command emptyfunction is the smallest aws-lambda-go function: the yardstick
// the functions' start-up is measured against (make bench).
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
}
