package activity

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// CloudWatch returns a CloudWatch client. Against an emulator (an endpoint
// override is set) it speaks AWS JSON 1.0: the SDK's default Smithy RPC v2
// CBOR is not spoken by emulators; against AWS it keeps the default.
func NewCloudWatch(cfg aws.Config, emulator bool) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		if emulator {
			SpeakJSON(o)
		}
	})
}

// SpeakJSON makes a CloudWatch client speak AWS JSON 1.0, which emulators
// understand, and send bodies uncompressed: with the protocol swapped, the
// SDK's gzip of PutMetricData bodies reaches the emulator broken.
func SpeakJSON(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801)
	o.DisableRequestCompression = true
}
