package awserror

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestHasCodeFindsTheCodeOfAWrappedAPIError(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Fault: smithy.FaultClient}
	for _, tc := range []struct {
		name  string
		err   error
		codes []string
		want  bool
	}{
		{"the code itself", throttled, []string{"ThrottlingException"}, true},
		{"one of several codes", throttled, []string{"Throttling", "ThrottlingException"}, true},
		{"wrapped twice", fmt.Errorf("describe services: %w", fmt.Errorf("call: %w", throttled)), []string{"ThrottlingException"}, true},
		{"another code", throttled, []string{"ServiceNotFoundException"}, false},
		{"no code given", throttled, nil, false},
		{"not an API error", errors.New("ThrottlingException"), []string{"ThrottlingException"}, false},
		{"no error", nil, []string{"ThrottlingException"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasCode(tc.err, tc.codes...); got != tc.want {
				t.Fatalf("HasCode(%v, %v) = %v, want %v", tc.err, tc.codes, got, tc.want)
			}
		})
	}
}
