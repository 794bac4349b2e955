// Package awsactions derives, from the Go source, the AWS API actions a
// function's binary can call, so its IAM policy can be checked against the
// code instead of a hand-kept list.
//
// It reads every package of this module that the function links, and counts:
//   - a composite literal of an SDK input type, service/<svc>.<Op>Input, as <svc>:<Op>;
//   - in a file that signs requests itself (a SignHTTP call with a literal
//     service name S), every "Action": {"Op"} form value as S:Op.
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
	found := map[string]bool{}
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
	var actions []string
	for a := range found {
		actions = append(actions, a)
	}
	slices.Sort(actions)
	return actions, nil
}

func scan(path string, found map[string]bool) error {
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
	var signer string
	var formActions []string
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			sel, ok := n.Type.(*ast.SelectorExpr)
			if !ok {
				break
			}
			pkgIdent, ok := sel.X.(*ast.Ident)
			if !ok {
				break
			}
			if svc, ok := services[pkgIdent.Name]; ok && strings.HasSuffix(sel.Sel.Name, "Input") {
				prefix := svc
				if p, ok := iamPrefix[svc]; ok {
					prefix = p
				}
				found[prefix+":"+strings.TrimSuffix(sel.Sel.Name, "Input")] = true
			}
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.BasicLit); ok && key.Value == `"Action"` {
				if v, ok := n.Value.(*ast.CompositeLit); ok && len(v.Elts) == 1 {
					if lit, ok := v.Elts[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						formActions = append(formActions, s)
					}
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "SignHTTP" && len(n.Args) >= 7 {
				if lit, ok := n.Args[4].(*ast.BasicLit); ok && lit.Kind == token.STRING { // SignHTTP(ctx, creds, req, hash, service, region, time)
					signer, _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	for _, a := range formActions {
		if signer == "" {
			return fmt.Errorf("%s: an Action form value %q, but no SignHTTP call naming the service", path, a)
		}
		found[signer+":"+a] = true
	}
	return nil
}
