package testworld

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ECS validates TagResource as the emulator does not:
//   - a tag key is 1 to 128 characters and a value 0 to 256, both of the
//     pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (no comma, for one);
//     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
//   - a service whose ARN is in the old short format
//     (arn:aws:ecs:REGION:ACCOUNT:service/NAME, without the cluster) cannot
//     be tagged at all: "Long arn format must be used for tagging operations".
//     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
//
// Both are refused with HTTP 400 InvalidParameterException.
var tagPattern = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

// TagProblem says why ECS would refuse a TagResource request body, or "".
func TagProblem(body []byte) string {
	var in struct {
		ResourceArn string `json:"resourceArn"`
		Tags        []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"tags"`
	}
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	if ShortServiceARN(in.ResourceArn) {
		return "Long arn format must be used for tagging operations"
	}
	for _, t := range in.Tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 || !tagPattern.MatchString(t.Key) {
			return fmt.Sprintf("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$ and length 1-128", t.Key)
		}
		if n := utf8.RuneCountInString(t.Value); n > 256 || !tagPattern.MatchString(t.Value) {
			return fmt.Sprintf("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$ and length 0-256", t.Value)
		}
	}
	return ""
}

// ShortServiceARN: an ECS service ARN in the old format, with no cluster in it.
func ShortServiceARN(arn string) bool {
	_, resource, ok := strings.Cut(arn, ":service/")
	return ok && strings.HasPrefix(arn, "arn:") && !strings.Contains(resource, "/")
}

// refuseTags answers a TagResource call ECS would refuse, and reports whether it did.
func refuseTags(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	problem := TagProblem(body)
	if problem == "" {
		return false
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", "InvalidParameterException")
	w.WriteHeader(http.StatusBadRequest)
	msg, _ := json.Marshal(problem)
	fmt.Fprintf(w, `{"__type":"InvalidParameterException","message":%s}`, msg)
	return true
}

// TagValueOK: ECS would take v as a tag value.
func TagValueOK(v string) bool {
	return utf8.RuneCountInString(v) <= 256 && tagPattern.MatchString(v)
}
