// Package api holds the OpenAPI 3 spec of the Wake function's HTTP API.
package api

import _ "embed"

// OpenAPI is the spec, as API Gateway imports it (the integration URI is a
// Terraform templatefile placeholder).
//
//go:embed openapi.json
var OpenAPI []byte
