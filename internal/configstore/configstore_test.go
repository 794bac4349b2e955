package configstore

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// Against the emulator over HTTP: the module's versioned bucket, a list
// replaced by a second apply, and the objects an operator can get wrong.
func TestReadsThePinnedVersionOfTheListFromS3(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the AWS emulator")
	}
	ctx := context.Background()
	emu, err := emulator.Start(ctx)
	if err != nil {
		t.Fatalf("start the AWS emulator: %v", err)
	}
	t.Cleanup(emu.Stop)
	client := NewClient(aws.Config{
		Region: emulator.Region, BaseEndpoint: aws.String(emu.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	const bucket, key = "scale-to-zero-config-test", "services.json"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string) string {
		t.Helper()
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	first := put(key, `[{"name":"first"}]`)
	second := put(key, `[{"name":"second"}]`)
	if first == "" || first == second {
		t.Fatalf("versions %q and %q: the bucket does not keep versions", first, second)
	}
	put("big.json", strings.Repeat(" ", MaxBytes+1))

	tests := []struct {
		name       string
		loc        config.ObjectLocation
		want, says string
	}{
		{"the version an environment was deployed with", config.ObjectLocation{Bucket: bucket, Key: key, Version: first}, `[{"name":"first"}]`, ""},
		{"the current version when none is pinned", config.ObjectLocation{Bucket: bucket, Key: key}, `[{"name":"second"}]`, ""},
		{"an object that does not exist", config.ObjectLocation{Bucket: bucket, Key: "nope.json"}, "", "no such object"},
		{"a bucket that does not exist", config.ObjectLocation{Bucket: "no-such-bucket-here", Key: key}, "", "no such bucket"},
		{"an object larger than a list may be", config.ObjectLocation{Bucket: bucket, Key: "big.json"}, "", "more than the 1048576 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(ctx, client, tc.loc)
			if tc.says != "" {
				if err == nil || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("read %s: %q, %v; want an error saying %q", tc.loc, got, err, tc.says)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("read %s: %q, %v; want %q", tc.loc, got, err, tc.want)
			}
		})
	}
}

type fakeS3 struct {
	out *s3.GetObjectOutput
	err error
	in  *s3.GetObjectInput
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.in = in
	return f.out, f.err
}

func TestS3ErrorsSayWhatToDo(t *testing.T) {
	tests := []struct {
		name string
		err  error
		says string
	}{
		// Without s3:ListBucket, S3 answers a missing key with 403 too.
		{"access denied", &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}, "s3:GetObject and s3:GetObjectVersion"},
		{"a version that is gone", &smithy.GenericAPIError{Code: "NoSuchVersion"}, "SERVICES_S3_VERSION"},
		{"anything else", errors.New("connection reset"), "get object: connection reset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(context.Background(), &fakeS3{err: tc.err}, config.ObjectLocation{Bucket: "b", Key: "k"})
			if err == nil || !strings.Contains(err.Error(), tc.says) || !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want it to say %q and keep its cause", err, tc.says)
			}
		})
	}
}

func TestALengthOverTheLimitIsRefusedBeforeReading(t *testing.T) {
	f := &fakeS3{out: &s3.GetObjectOutput{ContentLength: aws.Int64(MaxBytes + 1), Body: readCloser{bytes.NewReader(nil)}}}
	_, err := Read(context.Background(), f, config.ObjectLocation{Bucket: "b", Key: "k", Version: "v7"})
	if err == nil || !strings.Contains(err.Error(), "1048577 bytes") {
		t.Fatalf("error %v, want the size refused", err)
	}
	if aws.ToString(f.in.VersionId) != "v7" {
		t.Fatalf("asked for version %q, want the pinned v7", aws.ToString(f.in.VersionId))
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
