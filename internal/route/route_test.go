package route

import (
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

func TestMatch(t *testing.T) {
	r := New([]config.Service{
		{Name: "default", Cluster: "c"},
		{Name: "docs", Cluster: "c", PathPrefix: "/docs"},
		{Name: "api-docs", Cluster: "c", PathPrefix: "/docs/api"},
		{Name: "shop", Cluster: "c", Host: "shop.example.com"},
		{Name: "shop-admin", Cluster: "c", Host: "shop.example.com", PathPrefix: "/admin"},
	})
	tests := []struct {
		host, path, want string
	}{
		{"other.example.com", "/", "default"},
		{"other.example.com", "/docs", "docs"},
		{"other.example.com", "/docs/intro", "docs"},
		{"other.example.com", "/docsify", "default"}, // a prefix matches whole segments only
		{"other.example.com", "/docs/api/v1", "api-docs"},
		{"shop.example.com", "/docs", "shop"}, // a host match beats a path match without host
		{"SHOP.example.com:443", "/", "shop"},
		{"shop.example.com.", "/", "shop"},
		{"shop.example.com", "/admin/users", "shop-admin"},
	}
	for _, tc := range tests {
		got, ok := r.Match(tc.host, tc.path)
		if !ok || got.Name != tc.want {
			t.Errorf("Match(%q, %q) = %q %v, want %q", tc.host, tc.path, got.Name, ok, tc.want)
		}
	}
}

func TestNoMatchWithoutACatchAll(t *testing.T) {
	r := New([]config.Service{{Name: "shop", Cluster: "c", Host: "shop.example.com"}})
	if _, ok := r.Match("other.example.com", "/"); ok {
		t.Fatal("matched a host no service has")
	}
}

func TestByName(t *testing.T) {
	one := New([]config.Service{{Name: "web", Cluster: "c"}})
	if s, err := one.ByName(""); err != nil || s.Name != "web" {
		t.Fatalf("empty name with one service: %v %v", s, err)
	}
	two := New([]config.Service{{Name: "web", Cluster: "a"}, {Name: "api", Cluster: "b"}})
	if s, err := two.ByName("b/api"); err != nil || s.Name != "api" {
		t.Fatalf("by cluster/name: %v %v", s, err)
	}
	if _, err := two.ByName(""); err == nil || !strings.Contains(err.Error(), "web, api") {
		t.Fatalf("empty name with two services: %v", err)
	}
	if _, err := two.ByName("nope"); err == nil || !strings.Contains(err.Error(), `unknown service "nope"`) {
		t.Fatalf("unknown name: %v", err)
	}
}
