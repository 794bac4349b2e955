package waitpage

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// luminance is WCAG 2's relative luminance of a #rrggbb colour.
func luminance(hex string) float64 {
	var c [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestTheDefaultLookHasSufficientContrast checks every text/background pair of
// the default theme, light and dark, against WCAG AA (4.5:1).
func TestTheDefaultLookHasSufficientContrast(t *testing.T) {
	css, err := assets.ReadFile("assets/themes/default.css")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile(`:root\{([^}]*)\}`).FindAllStringSubmatch(string(css), -1)
	if len(blocks) != 2 {
		t.Fatalf("want a light and a dark palette, found %d", len(blocks))
	}
	for i, b := range blocks {
		vars := map[string]string{}
		for _, m := range regexp.MustCompile(`--(\w+):(#[0-9a-f]{6})`).FindAllStringSubmatch(b[1], -1) {
			vars[m[1]] = m[2]
		}
		pairs := [][2]string{{"fg", "bg"}, {"mut", "bg"}, {"bg", "acc"}} // text, secondary text, button label
		for _, p := range pairs {
			if r := contrast(vars[p[0]], vars[p[1]]); r < 4.5 {
				t.Errorf("palette %d: %s on %s has contrast %.2f, want at least 4.5", i, p[0], p[1], r)
			}
		}
	}
}
