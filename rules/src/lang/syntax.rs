//! Lexer and parser of the condition language: a small, CEL-shaped syntax
//! (`&&`, `||`, `!`, `? :`, `==`, `in`, function calls, `'text'` literals)
//! whose number literals are decimals.

use rust_decimal::Decimal;

/// A syntax error at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(String),
    Text(String),
    Ident(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Question,
    Colon,
    Bang,
    Minus,
    Plus,
    Star,
    Slash,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    AndAnd,
    OrOr,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Number(text) => format!("number {text}"),
            Tok::Text(_) => "a text literal".into(),
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Eof => "the end of the expression".into(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Question => "?",
            Tok::Colon => ":",
            Tok::Bang => "!",
            Tok::Minus => "-",
            Tok::Plus => "+",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            _ => "",
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let two = |second: u8| bytes.get(at + 1) == Some(&second);
        let (tok, length) = match byte {
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'[' => (Tok::LBracket, 1),
            b']' => (Tok::RBracket, 1),
            b',' => (Tok::Comma, 1),
            b'?' => (Tok::Question, 1),
            b':' => (Tok::Colon, 1),
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'!' if two(b'=') => (Tok::Ne, 2),
            b'!' => (Tok::Bang, 1),
            b'<' if two(b'=') => (Tok::Le, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if two(b'=') => (Tok::Ge, 2),
            b'>' => (Tok::Gt, 1),
            b'=' if two(b'=') => (Tok::EqEq, 2),
            b'=' => return Err(SyntaxError { offset: start, message: "a single `=` is not an operator: compare with `==`".into() }),
            b'&' if two(b'&') => (Tok::AndAnd, 2),
            b'|' if two(b'|') => (Tok::OrOr, 2),
            b'&' | b'|' => {
                let symbol = byte as char;
                return Err(SyntaxError { offset: start, message: format!("`{symbol}` alone is not an operator: use `{symbol}{symbol}`") });
            }
            b'\'' | b'"' => {
                let (value, length) = lex_text(&text[at..], at)?;
                (Tok::Text(value), length)
            }
            b'0'..=b'9' => {
                let mut end = at;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
                    end += 1;
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                }
                (Tok::Number(text[at..end].to_string()), end - at)
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut end = at;
                while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                    end += 1;
                }
                (Tok::Ident(text[at..end].to_string()), end - at)
            }
            _ => {
                let character = text[at..].chars().next().unwrap_or('?');
                return Err(SyntaxError { offset: start, message: format!("unexpected character `{character}`") });
            }
        };
        at += length;
        tokens.push(Token { tok, start, end: at });
    }
    tokens.push(Token { tok: Tok::Eof, start: text.len(), end: text.len() });
    Ok(tokens)
}

/// A quoted text starting at `text[0]`; returns its value and byte length.
fn lex_text(text: &str, base: usize) -> Result<(String, usize), SyntaxError> {
    let quote = text.as_bytes()[0] as char;
    let mut value = String::new();
    let mut characters = text.char_indices().skip(1);
    while let Some((index, character)) = characters.next() {
        match character {
            c if c == quote => return Ok((value, index + 1)),
            '\\' => match characters.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, escaped @ ('\\' | '\'' | '"'))) => value.push(escaped),
                Some((position, other)) => {
                    return Err(SyntaxError { offset: base + position, message: format!("unknown escape `\\{other}` in a text literal") });
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(SyntaxError { offset: base, message: format!("text literal not closed: add the closing {quote}") })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
}

/// A parsed expression; `start..end` are byte offsets in its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AstKind {
    Number(Decimal),
    Text(String),
    Bool(bool),
    Ident(String),
    List(Vec<Ast>),
    Call(String, Vec<Ast>),
    Unary(UnOp, Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Cond(Box<Ast>, Box<Ast>, Box<Ast>),
}

/// Parses one expression.
pub fn parse(text: &str) -> Result<Ast, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser { tokens, at: 0 };
    if parser.peek().tok == Tok::Eof {
        return Err(SyntaxError { offset: 0, message: "the expression is empty".into() });
    }
    let ast = parser.conditional()?;
    let next = parser.peek();
    if next.tok != Tok::Eof {
        return Err(SyntaxError { offset: next.start, message: format!("unexpected {} after a complete expression", next.tok.describe()) });
    }
    Ok(ast)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if token.tok != Tok::Eof {
            self.at += 1;
        }
        token
    }

    fn expect(&mut self, tok: Tok, context: &str) -> Result<Token, SyntaxError> {
        let next = self.peek();
        if next.tok == tok {
            Ok(self.next())
        } else {
            Err(SyntaxError { offset: next.start, message: format!("expected `{}` {context}, found {}", tok.symbol(), next.tok.describe()) })
        }
    }

    fn conditional(&mut self) -> Result<Ast, SyntaxError> {
        let condition = self.binary(0)?;
        if self.peek().tok != Tok::Question {
            return Ok(condition);
        }
        self.next();
        let then = self.conditional()?;
        self.expect(Tok::Colon, "between the two branches of `? :`")?;
        let otherwise = self.conditional()?;
        let (start, end) = (condition.start, otherwise.end);
        Ok(Ast { kind: AstKind::Cond(Box::new(condition), Box::new(then), Box::new(otherwise)), start, end })
    }

    /// Binary operators by precedence level: 0 `||`, 1 `&&`, 2 comparisons
    /// and `in`, 3 `+ -`, 4 `* /`.
    fn binary(&mut self, level: u8) -> Result<Ast, SyntaxError> {
        if level > 4 {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match (&self.peek().tok, level) {
                (Tok::OrOr, 0) => BinOp::Or,
                (Tok::AndAnd, 1) => BinOp::And,
                (Tok::EqEq, 2) => BinOp::Eq,
                (Tok::Ne, 2) => BinOp::Ne,
                (Tok::Lt, 2) => BinOp::Lt,
                (Tok::Le, 2) => BinOp::Le,
                (Tok::Gt, 2) => BinOp::Gt,
                (Tok::Ge, 2) => BinOp::Ge,
                (Tok::Ident(word), 2) if word == "in" => BinOp::In,
                (Tok::Plus, 3) => BinOp::Add,
                (Tok::Minus, 3) => BinOp::Sub,
                (Tok::Star, 4) => BinOp::Mul,
                (Tok::Slash, 4) => BinOp::Div,
                _ => return Ok(left),
            };
            self.next();
            let right = self.binary(level + 1)?;
            let (start, end) = (left.start, right.end);
            left = Ast { kind: AstKind::Binary(op, Box::new(left), Box::new(right)), start, end };
        }
    }

    fn unary(&mut self) -> Result<Ast, SyntaxError> {
        let op = match self.peek().tok {
            Tok::Bang => UnOp::Not,
            Tok::Minus => UnOp::Neg,
            _ => return self.primary(),
        };
        let start = self.next().start;
        let operand = self.unary()?;
        let end = operand.end;
        Ok(Ast { kind: AstKind::Unary(op, Box::new(operand)), start, end })
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        let token = self.next();
        let kind = match token.tok {
            Tok::Number(text) => {
                let value = text.parse::<Decimal>().map_err(|_| SyntaxError { offset: token.start, message: format!("number {text} is out of range") })?;
                AstKind::Number(value)
            }
            Tok::Text(text) => AstKind::Text(text),
            Tok::Ident(word) if word == "true" => AstKind::Bool(true),
            Tok::Ident(word) if word == "false" => AstKind::Bool(false),
            Tok::Ident(word) if word == "in" => {
                return Err(SyntaxError { offset: token.start, message: "`in` needs a value on its left, as in `currency in ['EUR', 'USD']`".into() });
            }
            Tok::Ident(name) => {
                if self.peek().tok == Tok::LParen {
                    self.next();
                    let arguments = self.sequence(Tok::RParen, "to close the argument list")?;
                    let end = self.tokens[self.at - 1].end;
                    return Ok(Ast { kind: AstKind::Call(name, arguments), start: token.start, end });
                }
                AstKind::Ident(name)
            }
            Tok::LParen => {
                let inner = self.conditional()?;
                let close = self.expect(Tok::RParen, "to close the parenthesis")?;
                return Ok(Ast { kind: inner.kind, start: token.start, end: close.end });
            }
            Tok::LBracket => {
                let items = self.sequence(Tok::RBracket, "to close the list")?;
                let end = self.tokens[self.at - 1].end;
                return Ok(Ast { kind: AstKind::List(items), start: token.start, end });
            }
            other => {
                return Err(SyntaxError { offset: token.start, message: format!("expected a value, found {}", other.describe()) });
            }
        };
        Ok(Ast { kind, start: token.start, end: token.end })
    }

    /// Comma-separated expressions up to `close` (already past the opener).
    fn sequence(&mut self, close: Tok, context: &str) -> Result<Vec<Ast>, SyntaxError> {
        let mut items = Vec::new();
        if self.peek().tok == close {
            self.next();
            return Ok(items);
        }
        loop {
            items.push(self.conditional()?);
            let next = self.peek().clone();
            if next.tok == Tok::Comma {
                self.next();
                continue;
            }
            if next.tok == close {
                self.next();
                return Ok(items);
            }
            return Err(SyntaxError { offset: next.start, message: format!("expected `,` or `{}` {context}, found {}", close.symbol(), next.tok.describe()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_literals() {
        let ast = parse("a + b * 2 <= 0.02 && !c || d ? 'x' : \"y\"").unwrap();
        assert!(matches!(ast.kind, AstKind::Cond(..)));
        let AstKind::Cond(condition, ..) = ast.kind else { unreachable!() };
        assert!(matches!(condition.kind, AstKind::Binary(BinOp::Or, ..)));
        assert_eq!(parse("0.02").unwrap().kind, AstKind::Number(Decimal::new(2, 2)));
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        assert_eq!(parse("total +").unwrap_err().offset, 7);
        assert_eq!(parse("total = 3").unwrap_err().offset, 6);
        assert_eq!(parse("f(a b)").unwrap_err().offset, 4);
        assert_eq!(parse("'open").unwrap_err().offset, 0);
        assert!(parse("").is_err());
    }
}
