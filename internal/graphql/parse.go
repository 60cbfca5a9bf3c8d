package graphql

import "fmt"

// Document is a parsed executable document.
type Document struct {
	Operations []*Operation
	Fragments  map[string]*Fragment
}

// Operation is a query, mutation or subscription.
type Operation struct {
	Type       string // "query", "mutation" or "subscription"
	Name       string // "" for an anonymous operation
	Vars       []*VarDef
	Directives []*Directive
	Selections []Selection
	Line, Col  int
}

// VarDef declares a variable of an operation.
type VarDef struct {
	Name    string
	Type    *Type
	Default Value // nil when the variable has no default
}

// Type is a type reference: a named type, a list, either of them non-null.
type Type struct {
	Name    string // for a named type
	Elem    *Type  // for a list
	NonNull bool
}

func (t *Type) String() string {
	s := t.Name
	if t.Elem != nil {
		s = "[" + t.Elem.String() + "]"
	}
	if t.NonNull {
		s += "!"
	}
	return s
}

// Selection is a *Field, a *FragmentSpread or an *InlineFragment.
type Selection interface{ isSelection() }

// Field selects a field, with its arguments and sub-selections.
type Field struct {
	Alias, Name string // Alias is "" when none is given
	Args        []*Arg
	Directives  []*Directive
	Selections  []Selection
	Line, Col   int
}

// ResponseKey is the key of the field in the answer: its alias, else its
// name.
func (f *Field) ResponseKey() string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// FragmentSpread is "...Name".
type FragmentSpread struct {
	Name       string
	Directives []*Directive
	Line, Col  int
}

// InlineFragment is "... on Type { ... }" (On may be empty).
type InlineFragment struct {
	On         string
	Directives []*Directive
	Selections []Selection
}

func (*Field) isSelection()          {}
func (*FragmentSpread) isSelection() {}
func (*InlineFragment) isSelection() {}

// Fragment is a named fragment definition.
type Fragment struct {
	Name, On   string
	Selections []Selection
}

// Arg is an argument of a field or a directive.
type Arg struct {
	Name  string
	Value Value
}

// Directive is "@name(args)".
type Directive struct {
	Name string
	Args []*Arg
}

// Value is an input value as written: Variable, Int, Float, String,
// Bool, Null, Enum, List or Object.
type Value interface{ isValue() }

type (
	// Variable is "$name".
	Variable string
	// Int is an integer literal, as written.
	Int string
	// Float is a float literal, as written.
	Float string
	// String is a string literal's value.
	String string
	// Bool is true or false.
	Bool bool
	// Null is null.
	Null struct{}
	// Enum is an enum value.
	Enum string
	// List is a list literal.
	List []Value
	// Object is an input object literal, its fields in order.
	Object []*Arg
)

func (Variable) isValue() {}
func (Int) isValue()      {}
func (Float) isValue()    {}
func (String) isValue()   {}
func (Bool) isValue()     {}
func (Null) isValue()     {}
func (Enum) isValue()     {}
func (List) isValue()     {}
func (Object) isValue()   {}

// Mutates reports whether the document holds a mutation (or a
// subscription): an operation that may change something when it is sent.
func (d *Document) Mutates() bool {
	for _, op := range d.Operations {
		if op.Type != "query" {
			return true
		}
	}
	return false
}

// Operation returns the operation named name, or the only operation when
// name is empty; it fails when there is no such operation or when name is
// empty and there are several.
func (d *Document) Operation(name string) (*Operation, error) {
	if name == "" {
		if len(d.Operations) != 1 {
			return nil, fmt.Errorf("the document holds %d operations: give operationName", len(d.Operations))
		}
		return d.Operations[0], nil
	}
	for _, op := range d.Operations {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("unknown operation named %q", name)
}

// Parse parses an executable document. It refuses a document with no
// operation, two operations of one name, an anonymous operation beside
// others, and two fragments of one name.
func Parse(src string) (*Document, error) {
	p := &parser{lex: lexer{src: src, line: 1, col: 1}}
	if err := p.read(); err != nil {
		return nil, err
	}
	d := &Document{Fragments: map[string]*Fragment{}}
	names := map[string]bool{}
	for p.tok.kind != tokEOF {
		t := p.tok
		switch {
		case t.kind == tokPunct && t.text == "{":
			sel, err := p.selectionSet()
			if err != nil {
				return nil, err
			}
			d.Operations = append(d.Operations, &Operation{Type: "query", Selections: sel, Line: t.line, Col: t.col})
		case t.kind == tokName && (t.text == "query" || t.text == "mutation" || t.text == "subscription"):
			op, err := p.operation()
			if err != nil {
				return nil, err
			}
			if op.Name != "" && names[op.Name] {
				return nil, p.lex.fail(op.Line, op.Col, "there are two operations named %q", op.Name)
			}
			names[op.Name] = true
			d.Operations = append(d.Operations, op)
		case t.kind == tokName && t.text == "fragment":
			f, err := p.fragment()
			if err != nil {
				return nil, err
			}
			if d.Fragments[f.Name] != nil {
				return nil, p.lex.fail(t.line, t.col, "there are two fragments named %q", f.Name)
			}
			d.Fragments[f.Name] = f
		default:
			return nil, p.unexpected("an operation or a fragment")
		}
	}
	if len(d.Operations) == 0 {
		return nil, p.lex.fail(p.tok.line, p.tok.col, "the document holds no operation")
	}
	if len(d.Operations) > 1 {
		for _, op := range d.Operations {
			if op.Name == "" {
				return nil, p.lex.fail(op.Line, op.Col, "an anonymous operation must be the only operation of its document")
			}
		}
	}
	return d, nil
}

type parser struct {
	lex lexer
	tok token
}

func (p *parser) read() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) unexpected(want string) error {
	return p.lex.fail(p.tok.line, p.tok.col, "expected %s, found %s", want, p.tok.describe())
}

func (p *parser) is(punct string) bool { return p.tok.kind == tokPunct && p.tok.text == punct }

func (p *parser) expect(punct string) error {
	if !p.is(punct) {
		return p.unexpected(fmt.Sprintf("%q", punct))
	}
	return p.read()
}

func (p *parser) name() (string, error) {
	if p.tok.kind != tokName {
		return "", p.unexpected("a name")
	}
	n := p.tok.text
	return n, p.read()
}

func (p *parser) operation() (*Operation, error) {
	op := &Operation{Type: p.tok.text, Line: p.tok.line, Col: p.tok.col}
	if err := p.read(); err != nil {
		return nil, err
	}
	var err error
	if p.tok.kind == tokName {
		if op.Name, err = p.name(); err != nil {
			return nil, err
		}
	}
	if p.is("(") {
		if op.Vars, err = p.varDefs(); err != nil {
			return nil, err
		}
	}
	if op.Directives, err = p.directives(false); err != nil {
		return nil, err
	}
	if op.Selections, err = p.selectionSet(); err != nil {
		return nil, err
	}
	return op, nil
}

func (p *parser) varDefs() ([]*VarDef, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var defs []*VarDef
	seen := map[string]bool{}
	for !p.is(")") {
		line, col := p.tok.line, p.tok.col
		if err := p.expect("$"); err != nil {
			return nil, err
		}
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, p.lex.fail(line, col, "variable $%s is declared twice", n)
		}
		seen[n] = true
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v := &VarDef{Name: n}
		if v.Type, err = p.typeRef(); err != nil {
			return nil, err
		}
		if p.is("=") {
			if err := p.read(); err != nil {
				return nil, err
			}
			if v.Default, err = p.value(true); err != nil {
				return nil, err
			}
		}
		if _, err := p.directives(true); err != nil {
			return nil, err
		}
		defs = append(defs, v)
	}
	if len(defs) == 0 {
		return nil, p.unexpected("a variable definition")
	}
	return defs, p.read()
}

func (p *parser) typeRef() (*Type, error) {
	t := &Type{}
	if p.is("[") {
		if err := p.read(); err != nil {
			return nil, err
		}
		elem, err := p.typeRef()
		if err != nil {
			return nil, err
		}
		t.Elem = elem
		if err := p.expect("]"); err != nil {
			return nil, err
		}
	} else {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		t.Name = n
	}
	if p.is("!") {
		t.NonNull = true
		return t, p.read()
	}
	return t, nil
}

func (p *parser) directives(constant bool) ([]*Directive, error) {
	var ds []*Directive
	for p.is("@") {
		if err := p.read(); err != nil {
			return nil, err
		}
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		d := &Directive{Name: n}
		if p.is("(") {
			if d.Args, err = p.args(constant); err != nil {
				return nil, err
			}
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func (p *parser) args(constant bool) ([]*Arg, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var args []*Arg
	for !p.is(")") {
		line, col := p.tok.line, p.tok.col
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		for _, a := range args {
			if a.Name == n {
				return nil, p.lex.fail(line, col, "argument %q is given twice", n)
			}
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v, err := p.value(constant)
		if err != nil {
			return nil, err
		}
		args = append(args, &Arg{Name: n, Value: v})
	}
	if len(args) == 0 {
		return nil, p.unexpected("an argument")
	}
	return args, p.read()
}

func (p *parser) selectionSet() ([]Selection, error) {
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var sel []Selection
	for !p.is("}") {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		sel = append(sel, s)
	}
	if len(sel) == 0 {
		return nil, p.unexpected("a selection")
	}
	return sel, p.read()
}

func (p *parser) selection() (Selection, error) {
	if p.is("...") {
		line, col := p.tok.line, p.tok.col
		if err := p.read(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokName && p.tok.text != "on" {
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			ds, err := p.directives(false)
			if err != nil {
				return nil, err
			}
			return &FragmentSpread{Name: n, Directives: ds, Line: line, Col: col}, nil
		}
		f := &InlineFragment{}
		if p.tok.kind == tokName { // "on"
			if err := p.read(); err != nil {
				return nil, err
			}
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			f.On = n
		}
		var err error
		if f.Directives, err = p.directives(false); err != nil {
			return nil, err
		}
		if f.Selections, err = p.selectionSet(); err != nil {
			return nil, err
		}
		return f, nil
	}
	f := &Field{Line: p.tok.line, Col: p.tok.col}
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.is(":") {
		if err := p.read(); err != nil {
			return nil, err
		}
		f.Alias = n
		if n, err = p.name(); err != nil {
			return nil, err
		}
	}
	f.Name = n
	if p.is("(") {
		if f.Args, err = p.args(false); err != nil {
			return nil, err
		}
	}
	if f.Directives, err = p.directives(false); err != nil {
		return nil, err
	}
	if p.is("{") {
		if f.Selections, err = p.selectionSet(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) fragment() (*Fragment, error) {
	if err := p.read(); err != nil { // "fragment"
		return nil, err
	}
	if p.tok.kind == tokName && p.tok.text == "on" {
		return nil, p.unexpected("a fragment name (not \"on\")")
	}
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokName || p.tok.text != "on" {
		return nil, p.unexpected(`"on"`)
	}
	if err := p.read(); err != nil {
		return nil, err
	}
	on, err := p.name()
	if err != nil {
		return nil, err
	}
	if _, err := p.directives(false); err != nil {
		return nil, err
	}
	sel, err := p.selectionSet()
	if err != nil {
		return nil, err
	}
	return &Fragment{Name: n, On: on, Selections: sel}, nil
}

// value reads an input value; constant refuses variables (defaults and
// directives of variable definitions).
func (p *parser) value(constant bool) (Value, error) {
	t := p.tok
	switch {
	case t.kind == tokPunct && t.text == "$":
		if constant {
			return nil, p.unexpected("a constant value")
		}
		if err := p.read(); err != nil {
			return nil, err
		}
		n, err := p.name()
		return Variable(n), err
	case t.kind == tokPunct && t.text == "[":
		if err := p.read(); err != nil {
			return nil, err
		}
		list := List{}
		for !p.is("]") {
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, p.read()
	case t.kind == tokPunct && t.text == "{":
		if err := p.read(); err != nil {
			return nil, err
		}
		obj := Object{}
		for !p.is("}") {
			line, col := p.tok.line, p.tok.col
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			for _, f := range obj {
				if f.Name == n {
					return nil, p.lex.fail(line, col, "input field %q is given twice", n)
				}
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			obj = append(obj, &Arg{Name: n, Value: v})
		}
		return obj, p.read()
	case t.kind == tokInt:
		return Int(t.text), p.read()
	case t.kind == tokFloat:
		return Float(t.text), p.read()
	case t.kind == tokString:
		return String(t.text), p.read()
	case t.kind == tokName:
		var v Value
		switch t.text {
		case "true":
			v = Bool(true)
		case "false":
			v = Bool(false)
		case "null":
			v = Null{}
		default:
			v = Enum(t.text)
		}
		return v, p.read()
	}
	return nil, p.unexpected("a value")
}
