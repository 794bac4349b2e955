package infra_test

import (
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// pricesTF is a root that gives the module the operator's prices.
func pricesTF(pkgDir string) string {
	return `variable "prices" {
  type    = any
  default = null
}
module "scale_to_zero" {
  source       = "../infra"
  package_dir  = "` + pkgDir + `"
  cluster_name = "prod"
  service_name = "web"
  token_key    = ""
  prices       = var.prices
}
`
}

// checkPrices plans the module with prices: good ones reach Auto-Sleep as
// PRICES that the function reads (and Wake gets none); bad ones fail the plan.
func checkPrices(t *testing.T, w *world) {
	run := w.module(t, "prices", pricesTF(w.pkgDir))
	good := `prices={ regions = { "eu-south-1" = { FARGATE = { X86_64 = { vcpuHour = 0.04456, gbHour = 0.00489 } } } },
		databases = { "eu-south-1" = { postgres = { "db.t4g.micro" = 0.018 } } } }`
	envs, _ := planEnvironments(t, run, "-var", good)
	prices := envs[autosleepFunction]["PRICES"]
	o, err := pricing.ParseOverride(prices)
	if err != nil {
		t.Fatalf("PRICES %q: %v", prices, err)
	}
	if r, err := pricing.Default().With(o).Rate("eu-south-1", pricing.Fargate, pricing.X86_64); err != nil || r.VCPUHour != 0.04456 {
		t.Errorf("PRICES %q reads as %+v, %v", prices, r, err)
	}
	if p, err := pricing.Default().With(o).DatabaseHour("eu-south-1", "postgres", "db.t4g.micro", false); err != nil || p != 0.018 {
		t.Errorf("PRICES %q prices the database at %v, %v", prices, p, err)
	}
	for _, bad := range []struct{ prices, want string }{
		{`prices={ regions = { "eu-south-1" = { EC2 = { X86_64 = { vcpuHour = 0.04, gbHour = 0.004 } } } } }`, "FARGATE or FARGATE_SPOT"},
		{`prices={ regions = { "us-east-1" = { FARGATE_SPOT = { ARM64 = { vcpuHour = 0.01, gbHour = 0.001 } } } } }`, "Fargate Spot runs X86_64 only"},
		{`prices={ publicIpv4Hour = -1 }`, "prices.publicIpv4Hour is dollars an hour"},
		{`prices={}`, "prices gives no price"},
		{`prices={ databases = { "us-east-1" = { aurora-postgresql = { "db.r6g.large" = 0.26 } } } }`, "prices.databases: each entry is REGION"},
	} {
		out, err := run("plan", "-input=false", "-no-color", "-var", bad.prices)
		if flat := strings.Join(strings.Fields(out), " "); err == nil || !strings.Contains(flat, bad.want) {
			t.Errorf("plan with %s: %v, want the message %q\n%s", bad.prices, err, bad.want, out)
		}
	}
}
