package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/strictjson"
)

// serviceJSON is one entry of the SERVICES list as operators write it.
type serviceJSON struct {
	Name               string           `json:"name"`
	Cluster            string           `json:"cluster"`
	Host               string           `json:"host"`
	PathPrefix         string           `json:"pathPrefix"`
	Port               *int             `json:"port"`
	Scheme             string           `json:"scheme"`
	HealthPath         string           `json:"healthPath"`
	Address            string           `json:"address"`
	URL                string           `json:"url"`
	WakeCount          *int             `json:"wakeCount"`
	WakeTimeoutSeconds *int             `json:"wakeTimeoutSeconds"`
	DependsOn          []dependencyJSON `json:"dependsOn"`
	sleepJSON
}

// ObjectLocation names the S3 object that holds the services list
// (SERVICES_S3, s3://BUCKET/KEY), and the version to read (SERVICES_S3_VERSION;
// empty: the current one).
type ObjectLocation struct {
	Bucket, Key, Version string
}

func (l ObjectLocation) String() string {
	s := "s3://" + l.Bucket + "/" + l.Key
	if l.Version != "" {
		s += " (version " + l.Version + ")"
	}
	return s
}

// ObjectReader reads the services list kept in S3: Lambda allows 4 KB of
// environment variables per function: 7 services with every setting.
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
type ObjectReader func(ObjectLocation) ([]byte, error)

// readServices reads the services from the one place they are given: a list
// in SERVICES, SERVICES_FILE or SERVICES_S3, else the single-service variables.
func readServices(getenv func(string) string, objects ObjectReader) (Services, error) {
	list, file, object := getenv("SERVICES"), getenv("SERVICES_FILE"), strings.TrimSpace(getenv("SERVICES_S3"))
	if n := btoi(list != "") + btoi(file != "") + btoi(object != ""); n > 1 {
		return nil, fieldErr("SERVICES", "set one of SERVICES, SERVICES_FILE and SERVICES_S3, not %d", n)
	}
	if object == "" && getenv("SERVICES_S3_VERSION") != "" {
		return nil, fieldErr("SERVICES_S3_VERSION", "only used with SERVICES_S3")
	}
	switch {
	case object != "":
		return servicesFromS3(object, getenv, objects)
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, causedBy("SERVICES_FILE", err, "cannot read %s: %v", file, err)
		}
		return parseList(data, "SERVICES_FILE", getenv)
	case list != "":
		return parseList([]byte(list), "SERVICES", getenv)
	}
	svc, err := single(getenv)
	if err != nil {
		return nil, err
	}
	return Services{svc}, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func servicesFromS3(object string, getenv func(string) string, objects ObjectReader) (Services, error) {
	loc, err := parseObjectLocation(object)
	if err != nil {
		return nil, err
	}
	loc.Version = strings.TrimSpace(getenv("SERVICES_S3_VERSION"))
	if objects == nil {
		return nil, fieldErr("SERVICES_S3", "cannot be read here (no S3 client)")
	}
	data, err := objects(loc)
	if err != nil {
		return nil, causedBy("SERVICES_S3", err, "cannot read %s: %v", loc, err)
	}
	return parseList(data, "SERVICES_S3", getenv)
}

// parseObjectLocation reads s3://BUCKET/KEY. Bucket names are 3 to 63
// lowercase letters, digits, dots and hyphens; keys are at most 1,024 bytes.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
func parseObjectLocation(v string) (ObjectLocation, error) {
	rest, ok := strings.CutPrefix(v, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || len(bucket) > 63 || !bucketName.MatchString(bucket) || key == "" || len(key) > 1024 {
		return ObjectLocation{}, fieldErr("SERVICES_S3", "%q is not an S3 object such as s3://my-bucket/services.json", v)
	}
	return ObjectLocation{Bucket: bucket, Key: key}, nil
}

// The length is checked apart: see namespaceChars.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]+[a-z0-9]$`)

// parseList reads a JSON list of services given in field (SERVICES,
// SERVICES_FILE or SERVICES_S3); errors name the entry and its setting, as
// SERVICES[1].port.
func parseList(data []byte, field string, getenv func(string) string) (Services, error) {
	var raw []serviceJSON
	if err := strictjson.Decode(data, &raw); err != nil {
		return nil, listError(field, err)
	}
	if len(raw) == 0 {
		return nil, fieldErr(field, "the list is empty; name at least one service")
	}
	out := make(Services, 0, len(raw))
	ids := map[string]int{}
	routes := map[string]int{}
	for i, r := range raw {
		prefix := fmt.Sprintf("%s[%d].", field, i)
		svc, err := r.validate(prefix, getenv)
		if err != nil {
			return nil, err
		}
		if j, dup := ids[svc.ID()]; dup {
			return nil, fieldErr(prefix+"name", "service %s is already listed at index %d", svc.ID(), j)
		}
		ids[svc.ID()] = i
		route := svc.Host + svc.PathPrefix
		if j, dup := routes[route]; dup {
			return nil, fieldErr(prefix+"host", "same route (host %q, pathPrefix %q) as index %d; give each service its own host or path prefix", svc.Host, svc.PathPrefix, j)
		}
		routes[route] = i
		out = append(out, svc)
	}
	return out, nil
}

// listError names the entry and setting a JSON error is about, in the words
// of whoever wrote the list.
func listError(field string, err error) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return causedBy(field, err, "not a JSON list of services: %v", err)
	}
	switch {
	case e.Unknown != "":
		return causedBy(field+e.Path, err, "unknown setting %q%s", e.Unknown, e.DidYouMean())
	case e.Path == "":
		return causedBy(field, err, "not a JSON list of services: %s", e.Reason)
	}
	return causedBy(field+e.Path, err, "%s", e.Reason)
}
