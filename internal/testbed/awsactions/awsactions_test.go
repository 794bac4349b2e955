package awsactions

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestTheFunctionsCallWhatTheirCodeSays(t *testing.T) {
	root, _ := filepath.Abs("../../..")
	tests := []struct {
		pkg      string
		includes []string
		excludes []string
	}{
		{"./functions/wake",
			[]string{"ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks", "ecs:UpdateService", "ecs:TagResource", "ec2:DescribeNetworkInterfaces"},
			[]string{"cloudwatch:GetMetricData", "ecs:RunTask", "cloudwatch:PutMetricData"}},
		// Auto-Sleep links the EC2 read of ecsservice but builds no EC2 client: it never calls EC2.
		{"./functions/autosleep",
			[]string{"ecs:DescribeServices", "ecs:UpdateService", "ecs:TagResource", "cloudwatch:GetMetricData"},
			[]string{"ec2:DescribeNetworkInterfaces", "ecs:RunTask", "cloudwatch:PutMetricData"}},
		// The local stand-in is not a function, but it shows that other calls are found too.
		{"./cmd/devstack",
			[]string{"ecs:RunTask", "ecs:StopTask", "ec2:AllocateAddress", "cloudwatch:PutMetricData", "ecs:CreateService"},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			got, err := Of(root, tc.pkg)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.includes {
				if !slices.Contains(got, a) {
					t.Errorf("%s not found in %v", a, got)
				}
			}
			for _, a := range tc.excludes {
				if slices.Contains(got, a) {
					t.Errorf("%s found, but the function never calls it: %v", a, got)
				}
			}
		})
	}
}
