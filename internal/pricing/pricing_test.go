package pricing

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestTheTableHasUsEast1AsPublished(t *testing.T) {
	tests := []struct {
		name, provider, arch string
		want                 Rate
	}{
		{"linux x86 on demand", Fargate, X86_64, Rate{VCPUHour: 0.04048, GBHour: 0.004445}},
		{"linux arm on demand", Fargate, ARM64, Rate{VCPUHour: 0.03238, GBHour: 0.00356}},
		{"linux x86 spot", FargateSpot, X86_64, Rate{VCPUHour: 0.01334053, GBHour: 0.00146489}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Default().Rate("us-east-1", tt.provider, tt.arch)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.VCPUHour-tt.want.VCPUHour) > 1e-8 || math.Abs(got.GBHour-tt.want.GBHour) > 1e-8 {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := Default().PublicIPv4Hour; got != 0.005 {
		t.Errorf("public IPv4 %v an hour, want 0.005", got)
	}
}

func TestWhatTheTableCannotPriceIsUnknownNotGuessed(t *testing.T) {
	tests := []struct {
		name, region, provider, arch, says string
	}{
		{"a Region not in the table", "eu-south-1", Fargate, X86_64, "eu-south-1"},
		{"spot on arm", "us-east-1", FargateSpot, ARM64, "ARM64"},
		{"an EC2 capacity provider", "us-east-1", "my-asg-provider", X86_64, "my-asg-provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Default().Rate(tt.region, tt.provider, tt.arch)
			if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want price unknown naming %q", err, tt.says)
			}
		})
	}
}

func TestTheOperatorsPricesReplaceOnlyWhatTheyGive(t *testing.T) {
	o, err := ParseOverride(`{"regions": {"eu-south-1": {"FARGATE": {"X86_64": {"vcpuHour": 0.05, "gbHour": 0.006}}},
		"us-east-1": {"FARGATE_SPOT": {"X86_64": {"vcpuHour": 0.012, "gbHour": 0.0013}}}}, "publicIpv4Hour": 0.004}`)
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	tb := base.With(o)
	if !tb.Overridden || base.Overridden {
		t.Errorf("overridden: table %v, default %v", tb.Overridden, base.Overridden)
	}
	tests := []struct {
		name, region, provider, arch string
		want                         Rate
	}{
		{"a Region the table lacks", "eu-south-1", Fargate, X86_64, Rate{0.05, 0.006}},
		{"a figure replaced", "us-east-1", FargateSpot, X86_64, Rate{0.012, 0.0013}},
		{"a figure kept beside it", "us-east-1", Fargate, X86_64, Rate{0.04048, 0.004445}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tb.Rate(tt.region, tt.provider, tt.arch)
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if tb.PublicIPv4Hour != 0.004 {
		t.Errorf("public IPv4 %v, want 0.004", tb.PublicIPv4Hour)
	}
	if _, err := tb.Rate("eu-south-1", Fargate, ARM64); !errors.Is(err, ErrUnknown) {
		t.Errorf("eu-south-1 ARM64, never given: %v, want unknown", err)
	}
	if r, _ := base.Rate("us-east-1", FargateSpot, X86_64); r.VCPUHour == 0.012 {
		t.Error("the override changed the default table")
	}
}

func TestPricesThatCannotBeRightAreRefusedNamingWhere(t *testing.T) {
	tests := []struct{ name, in, says string }{
		{"not JSON", `{`, "prices JSON"},
		{"an unknown field", `{"region": {}}`, "region"},
		{"nothing", `{}`, "gives no price"},
		{"a bad Region name", `{"regions": {"Frankfurt": {"FARGATE": {"X86_64": {"vcpuHour": 1, "gbHour": 1}}}}}`, "Frankfurt"},
		{"a provider that is not Fargate", `{"regions": {"us-east-1": {"EC2": {"X86_64": {"vcpuHour": 1, "gbHour": 1}}}}}`, "FARGATE or FARGATE_SPOT"},
		{"an unknown architecture", `{"regions": {"us-east-1": {"FARGATE": {"x86": {"vcpuHour": 1, "gbHour": 1}}}}}`, "X86_64 or ARM64"},
		{"spot on arm", `{"regions": {"us-east-1": {"FARGATE_SPOT": {"ARM64": {"vcpuHour": 1, "gbHour": 1}}}}}`, "X86_64 tasks only"},
		{"a price left out", `{"regions": {"us-east-1": {"FARGATE": {"X86_64": {"vcpuHour": 0.04}}}}}`, "regions.us-east-1.FARGATE.X86_64.gbHour: missing"},
		{"a negative price", `{"publicIpv4Hour": -1}`, "publicIpv4Hour"},
		{"a monthly price", `{"regions": {"us-east-1": {"FARGATE": {"X86_64": {"vcpuHour": 29.5, "gbHour": 0.004}}}}}`, "vcpuHour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOverride(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want an error saying %q", err, tt.says)
			}
		})
	}
}
