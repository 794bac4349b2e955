package route

import (
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
