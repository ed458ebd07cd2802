package controller_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// exportedAPI returns the exported names declared in the non-test files of the package
// in dir: top-level names as "Name", methods as "Type.Name".
func exportedAPI(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					if d.Recv == nil {
						names[d.Name.Name] = true
						continue
					}
					typ := d.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					names[typ.(*ast.Ident).Name+"."+d.Name.Name] = true
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							names[s.Name.Name] = s.Name.IsExported()
						case *ast.ValueSpec:
							for _, n := range s.Names {
								names[n.Name] = n.IsExported()
							}
						}
					}
				}
			}
		}
	}
	return names
}

// TestNoWiring keeps the registry's wiring out of controller's API: a handler that
// could run a client's read loop a second time or rerun setup is a bug.
func TestNoWiring(t *testing.T) {
	api := exportedAPI(t, ".")
	for _, name := range []string{
		"New", "Config", "Controller.Setup", "Controller.Join", "Controller.Serve",
		"Controller.Start", "Controller.StopTimers", "Controller.SendPrepared",
	} {
		if api[name] {
			t.Errorf("controller exports %s, which only the registry calls", name)
		}
	}
	for _, name := range []string{"Controller", "Controller.Send", "Controller.To", "Controller.OnMessage", "Room", "ErrDestroyed"} {
		if !api[name] {
			t.Errorf("controller does not export %s", name)
		}
	}
}
