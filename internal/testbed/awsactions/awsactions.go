// Package awsactions derives, from the Go source, the AWS API actions a
// function's binary can call, so its IAM policy can be checked against the
// code instead of a hand-kept list.
//
// It reads every package of this module that the function links, and counts
// a composite literal of an SDK input type, service/<svc>.<Op>Input, as
// <svc>:<Op> — for the services whose client those packages build
// (<svc>.NewFromConfig or <svc>.New): an operation is called only through a
// client of its service. Auto-Sleep links the package that reads network
// interfaces, but builds no EC2 client, so it never calls EC2.
package awsactions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sdkService is the import path prefix of the SDK's service clients.
const sdkService = "github.com/aws/aws-sdk-go-v2/service/"

// iamPrefix maps an SDK service package to its IAM action prefix where they differ.
var iamPrefix = map[string]string{"cloudwatchlogs": "logs", "eventbridge": "events"}

type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Module     *struct{ Path string }
}

// Of returns the sorted actions of the main package at pkg (a path such as
// ./functions/wake), read from the module rooted at dir.
func Of(dir, pkg string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json", pkg)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v: %s", pkg, err, stderr.String())
	}
	var module string
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	// The last package listed is pkg itself: its module is ours.
	if len(pkgs) == 0 || pkgs[len(pkgs)-1].Module == nil {
		return nil, fmt.Errorf("go list %s: no module", pkg)
	}
	module = pkgs[len(pkgs)-1].Module.Path
	found := calls{ops: map[op]bool{}, clients: map[string]bool{}}
	for _, p := range pkgs {
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		for _, f := range p.GoFiles {
			if err := scan(filepath.Join(p.Dir, f), found); err != nil {
				return nil, err
			}
		}
	}
	return found.actions(), nil
}

// op is one operation of an SDK service package: ecs, DescribeServices.
type op struct{ service, name string }

// calls is what the scanned files hold: the operations they name, and the
// services whose client they build.
type calls struct {
	ops     map[op]bool
	clients map[string]bool
}

// actions are the IAM actions of the operations of services with a client, sorted.
func (c calls) actions() []string {
	var out []string
	for o := range c.ops {
		if !c.clients[o.service] {
			continue
		}
		prefix := o.service
		if p, ok := iamPrefix[o.service]; ok {
			prefix = p
		}
		out = append(out, prefix+":"+o.name)
	}
	slices.Sort(out)
	return out
}

func scan(path string, found calls) error {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	// Local names of the SDK service packages this file imports.
	services := map[string]string{}
	for _, imp := range file.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if !strings.HasPrefix(p, sdkService) {
			continue
		}
		svc := strings.TrimPrefix(p, sdkService)
		if strings.Contains(svc, "/") {
			continue // types, schemas and the like hold no operations
		}
		name := svc
		if imp.Name != nil {
			name = imp.Name.Name
		}
		services[name] = svc
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if svc, name, ok := serviceSelector(n.Type, services); ok && strings.HasSuffix(name, "Input") {
				found.ops[op{svc, strings.TrimSuffix(name, "Input")}] = true
			}
		case *ast.CallExpr:
			if svc, name, ok := serviceSelector(n.Fun, services); ok && (name == "NewFromConfig" || name == "New") {
				found.clients[svc] = true
			}
		}
		return true
	})
	return nil
}

// serviceSelector reports whether expr is pkg.Name for an imported SDK
// service package, and which service and name.
func serviceSelector(expr ast.Expr, services map[string]string) (service, name string, ok bool) {
	sel, isSel := expr.(*ast.SelectorExpr)
	if !isSel {
		return "", "", false
	}
	pkg, isIdent := sel.X.(*ast.Ident)
	if !isIdent {
		return "", "", false
	}
	service, ok = services[pkg.Name]
	return service, sel.Sel.Name, ok
}
