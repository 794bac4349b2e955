package config

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultMetricsNamespace is the CloudWatch namespace of the functions'
// metrics unless METRICS_NAMESPACE names another.
const DefaultMetricsNamespace = "ScaleToZero"

// namespaceChars are the characters CloudWatch allows in a namespace, 1 to
// 255 of them; it must have one that is not a space, and AWS/ is AWS's own.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
// The length is checked apart: a counted repetition compiles to one program
// step per count, and {1,255} was most of this package's start-up time.
var namespaceChars = regexp.MustCompile(`^[0-9A-Za-z._\-/#: ]+$`)

func setMetricsNamespace(c *Config, v string) error {
	switch {
	case len(v) > 255 || !namespaceChars.MatchString(v):
		return fmt.Errorf("%q is not a CloudWatch namespace: 1 to 255 of the letters, digits and . - _ / # : and space", v)
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("a namespace needs a character other than a space")
	case strings.HasPrefix(v, ":"):
		return fmt.Errorf("%q: a namespace cannot start with a colon", v)
	case strings.HasPrefix(v, "AWS/"):
		return fmt.Errorf("%q: namespaces starting with AWS/ are AWS's own", v)
	}
	c.MetricsNamespace = v
	return nil
}

func setMetrics(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "on":
	case "off":
		// Read after METRICS_NAMESPACE: off wins.
		c.MetricsNamespace = ""
	default:
		return fmt.Errorf("must be on or off, got %q", v)
	}
	return nil
}
