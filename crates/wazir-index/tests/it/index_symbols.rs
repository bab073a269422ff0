//! Exact symbols per language on small fixtures: kind, name, container, lines, signature.

use wazir_index::{Lang, extract};

fn render(path: &str) -> Vec<String> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&full).expect("fixture");
    let lang = Lang::from_path(std::path::Path::new(&full)).expect("known language");
    extract(lang, &src)
        .symbols
        .iter()
        .map(|s| {
            format!(
                "{} {} [{}] {}-{} | {}",
                s.kind,
                s.name,
                s.container.clone().unwrap_or_default(),
                s.start_line,
                s.end_line,
                s.signature
            )
        })
        .collect()
}

#[test]
fn symbols_of_data_schema_sql() {
    let expected = [
        "table users [] 1-4 | CREATE TABLE users",
        "view active_users [] 6-6 | CREATE VIEW active_users",
        "index users_name [] 8-8 | CREATE INDEX users_name ON users",
        "function add_one [] 10-10 | CREATE FUNCTION add_one",
    ];
    assert_eq!(render("data/schema.sql"), expected);
}

#[test]
fn symbols_of_go_server_go() {
    let expected = [
        "constant MaxConns [] 9-9 | const MaxConns = 64",
        "variable started [] 11-11 | var started bool",
        "struct Server [] 14-16 | type Server struct",
        "interface Handler [] 19-21 | type Handler interface",
        "method Serve [Handler] 20-20 | Serve(w http.ResponseWriter, r *http.Request)",
        "type Port [] 23-23 | type Port int",
        "function New [] 26-28 | func New(addr string) *Server",
        "method Start [Server] 31-34 | func (s *Server) Start() error",
    ];
    assert_eq!(render("go/server.go"), expected);
}

#[test]
fn symbols_of_java_account_java() {
    let expected = [
        "class Account [] 8-27 | public class Account",
        "constant LIMIT [Account] 9-9 | public static final int LIMIT = 10;",
        "method Account [Account] 12-14 | public Account(int opening)",
        "method deposit [Account] 17-20 | @Deprecated public void deposit(int amount)",
        "interface Listener [Account] 22-24 | interface Listener",
        "method changed [Account.Listener] 23-23 | void changed(int balance);",
        "enum Kind [Account] 26-26 | enum Kind",
    ];
    assert_eq!(render("java/Account.java"), expected);
}

#[test]
fn symbols_of_javascript_cart_js() {
    let expected = [
        "constant TAX [] 3-3 | const TAX = 0.2",
        "variable count [] 4-4 | let count = 0",
        "class Cart [] 9-22 | export class Cart",
        "method constructor [Cart] 10-12 | constructor()",
        "method add [Cart] 15-17 | add(item)",
        "method size [Cart] 19-21 | get size()",
        "function total [] 25-27 | export function total(cart)",
        "function discount [] 29-29 | const discount = (amount, pct) =>",
        "function ids [] 31-33 | function* ids()",
        "function helper [] 35-37 | module.exports.helper = function ()",
        "constant api [] 39-42 | const api = {",
        "function load [api] 40-40 | load: function ()",
        "function save [api] 41-41 | save: () =>",
    ];
    assert_eq!(render("javascript/cart.js"), expected);
}

#[test]
fn symbols_of_python_inventory_py() {
    let expected = [
        "constant MAX_ITEMS [] 5-5 | MAX_ITEMS = 100",
        "variable registry [] 6-6 | registry = {}",
        "class Item [] 9-18 | class Item",
        "method __init__ [Item] 12-14 | def __init__(self, name: str, qty: int = 0)",
        "method empty [Item] 17-18 | def empty(self) -> bool",
        "function add [] 22-25 | def add(item: Item) -> None",
        "function key [add] 23-24 | def key(i)",
        "function fetch_all [] 28-33 | async def fetch_all(names: List[str]) -> List[Item]",
    ];
    assert_eq!(render("python/inventory.py"), expected);
}

#[test]
fn symbols_of_rust_shapes_rs() {
    let expected = [
        "constant MAX_SIDE [] 5-5 | pub const MAX_SIDE: u32 = 1_000;",
        "variable COUNTER [] 7-7 | static COUNTER: u32 = 0;",
        "struct Rect [] 11-14 | pub struct Rect<T>",
        "enum Shape [] 16-19 | pub enum Shape",
        "trait Area [] 22-28 | pub trait Area",
        "method area [Area] 24-24 | fn area(&self) -> f64;",
        "method name [Area] 25-27 | fn name(&self) -> &str",
        "impl Rect [] 30-35 | impl<T: Copy> Rect<T>",
        "method new [Rect] 32-34 | pub fn new(w: T, h: T) -> Self",
        "impl Shape [] 37-41 | impl fmt::Display for Shape",
        "method fmt [Shape] 38-40 | fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result",
        "type Pair [] 43-43 | pub type Pair = (u32, u32);",
        "module util [] 45-49 | pub mod util",
        "function clamp [util] 46-48 | pub fn clamp(v: u32) -> u32",
        "macro square [] 51-55 | macro_rules! square",
    ];
    assert_eq!(render("rust/shapes.rs"), expected);
}

#[test]
fn symbols_of_tsx_button_tsx() {
    let expected = [
        "interface ButtonProps [] 3-6 | interface ButtonProps",
        "function Button [] 9-11 | export function Button({ label, onClick }: ButtonProps)",
        "function IconButton [] 13-15 | export const IconButton = (props: ButtonProps) =>",
        "class Panel [] 17-21 | export default class Panel extends React.Component<{}>",
        "method render [Panel] 18-20 | render()",
    ];
    assert_eq!(render("tsx/Button.tsx"), expected);
}

#[test]
fn symbols_of_typescript_store_ts() {
    let expected = [
        "interface Saveable [] 4-7 | export interface Saveable",
        "method save [Saveable] 5-5 | save(): Promise<void>",
        "type Id [] 9-9 | export type Id = string | number;",
        "enum Mode [] 11-14 | export enum Mode",
        "class Base [] 16-18 | export abstract class Base",
        "method kind [Base] 17-17 | abstract kind(): string",
        "class Store [] 20-31 | export class Store<T> extends Base implements Saveable",
        "method kind [Store] 24-26 | kind(): string",
        "method save [Store] 28-28 | async save(): Promise<void>",
        "method handle [Store] 30-30 | handle = (e: Event): void =>",
        "function open [] 33-35 | export function open(path: string): Store<unknown>",
        "constant VERSION [] 37-37 | export const VERSION = '1.0'",
        "module Internal [] 39-41 | namespace Internal",
        "function hidden [Internal] 40-40 | export function hidden(): void",
        "function external [] 43-43 | function external(x: number): string;",
        "interface StoreConstructor [] 45-47 | export interface StoreConstructor",
        "method new [StoreConstructor] 46-46 | new (path: string): Store<unknown>",
    ];
    assert_eq!(render("typescript/store.ts"), expected);
}
