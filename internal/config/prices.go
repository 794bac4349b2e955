package config

import "github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"

// setPrices reads PRICES, the operator's Fargate, public IPv4 and database prices for
// the savings report (pricing.ParseOverride says what it takes).
func setPrices(c *Config, v string) error {
	o, err := pricing.ParseOverride(v)
	if err != nil {
		return err
	}
	c.Prices = o
	return nil
}
