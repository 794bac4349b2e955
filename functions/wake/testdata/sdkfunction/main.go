// Command sdkfunction loads the AWS configuration and builds the SDK clients
// Wake builds (ECS, EC2, S3), then answers nothing: the part of Wake's
// start-up that any Go function using those clients pays (make bench).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clients := []any{ecs.NewFromConfig(cfg), ec2.NewFromConfig(cfg), s3.NewFromConfig(cfg)}
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.Marshal(len(clients))
	})
}
