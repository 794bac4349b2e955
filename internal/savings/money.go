package savings

import (
	"math"
	"strconv"
)

// Dollars are US dollars, unrounded; JSON carries them to ten decimals (an
// hourly price has up to eight: 0.0040675764), text to the cent.
type Dollars float64

func dollars(v float64) *Dollars { d := Dollars(v); return &d }

// MarshalJSON writes the figure to ten decimals, without float noise
// (0.271535, not 0.27153499999999997).
func (d Dollars) MarshalJSON() ([]byte, error) { return roundJSON(float64(d), 10), nil }

// Hours are hours, unrounded; JSON carries them to the ten-thousandth (a third of a second).
type Hours float64

func hours(v float64) *Hours { h := Hours(v); return &h }

// MarshalJSON writes the figure to four decimals.
func (h Hours) MarshalJSON() ([]byte, error) { return roundJSON(float64(h), 4), nil }

func roundJSON(v float64, places int) []byte {
	scale := math.Pow(10, float64(places))
	return strconv.AppendFloat(nil, math.Round(v*scale)/scale, 'f', -1, 64)
}
