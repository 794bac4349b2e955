// Package configstore reads the services list the Terraform module keeps as
// an S3 object when it outgrows Lambda's 4 KB of environment variables.
//
// One GetObject per execution environment, at start-up: the call does not
// grow with the number of services, and it draws on S3's request rate (at
// least 5,500 GETs a second per prefix), not on the ECS buckets the owner's
// deploys share.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html
package configstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// MaxBytes bounds the list: about 2,000 services with every setting (490
// bytes each). The
// Terraform module refuses a larger one at plan time.
const MaxBytes = 1 << 20

// API is the one S3 call the functions make.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ API = (*s3.Client)(nil)

// NewClient returns an S3 client for cfg. With an endpoint of its own (an
// emulator on loopback) it addresses buckets by path: a virtual-hosted name
// such as BUCKET.127.0.0.1 would resolve elsewhere. An object written without
// a checksum (as Terraform writes it) is read without one, and the SDK's
// plain-text note saying so would break the JSON log.
func NewClient(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// Read returns the object at loc, at its pinned version when it names one.
func Read(ctx context.Context, api API, loc config.ObjectLocation) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}
	if loc.Version != "" {
		in.VersionId = aws.String(loc.Version)
	}
	out, err := api.GetObject(ctx, in)
	if err != nil {
		return nil, explain(err)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > MaxBytes {
		return nil, fmt.Errorf("the object is %d bytes, more than the %d bytes a services list may have", *out.ContentLength, MaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("get object: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("the object is more than the %d bytes a services list may have", MaxBytes)
	}
	return data, nil
}

// explain says what an S3 error means for the operator. Without
// s3:ListBucket, S3 answers a missing key with 403 AccessDenied, not 404.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
func explain(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchBucket":
			return fmt.Errorf("no such bucket: %w", err)
		case "NoSuchKey":
			return fmt.Errorf("no such object: %w", err)
		case "NoSuchVersion":
			return fmt.Errorf("no such version of the object (SERVICES_S3_VERSION): %w", err)
		case "AccessDenied", "Forbidden":
			return fmt.Errorf("access denied: the role needs s3:GetObject and s3:GetObjectVersion on the object, and S3 also answers so for an object that does not exist: %w", err)
		}
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound {
		return fmt.Errorf("not found: %w", err)
	}
	return fmt.Errorf("get object: %w", err)
}
