// chaingrad's playground front end: ONE ES module (no build step) for every host.
//
// It is a thin view of a model's state (anywidget's model interface: get, set,
// save_changes, on, send): the notebook widget's traits, the served page's socket
// (socketModel) or a recorded run (replayModel).  Training happens in Python; this file
// only draws what it is given and sends back what the learner changed.
//
// Views, each a small class with an update method fed plain data:
//   HeatMap    the decision boundary (or regression surface) with the train / test points
//   LossChart  train and test loss over the epochs (ticks, log scale on request)
//   Network    the network: a heat map per neuron, edges by sign and |w| or by |dL/dw|
//   Controls   every control of the setup, each with a visible label
//   Detail     the step-through of one sample's backward pass to a clicked neuron

const SVG_NS = "http://www.w3.org/2000/svg";
const NEGATIVE = [178, 24, 43];   // #b2182b: a negative output / weight, class 0
const MIDDLE = [247, 247, 247];
const POSITIVE = [33, 102, 172];  // #2166ac: a positive output / weight, class 1
const GRAD_SCALE = [[253, 224, 197], [245, 158, 114], [194, 64, 91], [59, 15, 112]];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const POINT_COUNTS = [50, 100, 200, 300, 500, 1000];
const DATASETS = {classification: ["circle", "xor", "gauss", "spiral", "moons"],
                  regression: ["plane", "bumps"]};
const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"];
const ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"];
const MAX_LAYERS = 6, MAX_NEURONS = 8;

// -- small helpers ------------------------------------------------------------------------
function node(tag, attributes, parent, text) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === "class") { element.className = value; } else { element.setAttribute(key, value); }
  }
  if (text !== undefined) { element.textContent = text; }
  if (parent) { parent.appendChild(element); }
  return element;
}

function svgNode(tag, attributes, parent) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes || {})) { element.setAttribute(key, value); }
  if (parent) { parent.appendChild(element); }
  return element;
}

function fill(phrase, fields) {  // the tables' {field} placeholders, as Python's str.format
  return String(phrase).replace(/\{(\w+)\}/g, (whole, key) => key in fields ? fields[key] : whole);
}

function mix(a, b, t) { return a.map((x, i) => Math.round(x + (b[i] - x) * t)); }

// A byte 0..255 (-1 .. 1, or class 0 .. class 1) as a colour: red, light grey, blue.
const PALETTE = Array.from({length: 256}, (_, b) => {
  const t = b / 255;
  return t < 0.5 ? mix(NEGATIVE, MIDDLE, t * 2) : mix(MIDDLE, POSITIVE, (t - 0.5) * 2);
});
function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }

function decode(text) {
  const raw = atob(text || "");
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
  return bytes;
}

function hex(c) { return [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)); }

// One byte per cell, row 0 at the top: a value on PALETTE, or a class of ``classes``.
function paint(canvas, bytes, size, lighten, classes) {
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size && i < bytes.length; i++) {
    const base = classes ? mix(classes[bytes[i] % classes.length], [255, 255, 255], 0.3) : PALETTE[bytes[i]];
    const c = lighten ? mix(base, [255, 255, 255], lighten) : base;
    image.data[4 * i] = c[0]; image.data[4 * i + 1] = c[1];
    image.data[4 * i + 2] = c[2]; image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function number(value, digits) {
  if (typeof value !== "number" || !isFinite(value)) { return String(value); }
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4)) { return value.toExponential(2); }
  return value.toFixed(digits === undefined ? 3 : digits);
}

// -- the decision boundary --------------------------------------------------------------------
export class HeatMap {
  constructor(parent, pixels) {
    this.pixels = pixels;
    this.box = node("div", {class: "cg-heatmap"}, parent);
    this.canvas = node("canvas", {width: pixels, height: pixels, class: "cg-boundary",
                                  role: "img"}, this.box);
    this.cells = document.createElement("canvas");
    this.showTest = true;
  }

  // scene: extent, points, labels, train, classification; cells: base64 bytes
  update(scene, cells) {
    const pixels = this.canvas.clientWidth || this.pixels;  // as wide as its panel
    if (this.canvas.width !== pixels) { this.canvas.width = this.canvas.height = pixels; }
    const out = this.canvas.getContext("2d"), size = scene.size;
    const palette = scene.palette ? scene.palette.map(hex) : null;  // one colour per class
    out.clearRect(0, 0, pixels, pixels);
    if (cells) {
      paint(this.cells, decode(cells), size, 0.3, palette);
      out.imageSmoothingEnabled = true;
      out.drawImage(this.cells, 0, 0, pixels, pixels);
    }
    if (!scene.points) { return; }
    const [x0, x1, y0, y1] = scene.extent;
    const values = scene.labels;
    scene.points.forEach((p, n) => {
      const test = n >= scene.train;
      if (test && !this.showTest) { return; }
      const value = values[n];
      const t = scene.classification ? (value > 0 ? 1 : 0) : (Math.max(-1, Math.min(1, value)) + 1) / 2;
      out.beginPath();
      out.arc((p[0] - x0) / (x1 - x0) * pixels, (y1 - p[1]) / (y1 - y0) * pixels, 3.6, 0, 2 * Math.PI);
      out.fillStyle = rgb(palette ? palette[value % palette.length] : PALETTE[Math.round(t * 255)]);
      out.fill();
      out.lineWidth = test ? 2 : 1;
      out.strokeStyle = test ? "#111827" : "#ffffff";
      out.stroke();
    });
  }
}

// -- the loss curves ----------------------------------------------------------------------------
export class LossChart {
  constructor(parent, text, width, height) {
    this.text = text;
    this.width = width; this.height = height;
    this.log = false;
    const bar = node("div", {class: "cg-chart-bar"}, parent);
    this.legend = node("span", {class: "cg-legend"}, bar);
    const label = node("label", {class: "cg-inline"}, bar);
    this.logBox = node("input", {type: "checkbox", class: "cg-log"}, label);
    label.appendChild(document.createTextNode(" " + text.log_scale));
    this.logBox.addEventListener("change", () => { this.log = this.logBox.checked; this.draw(); });
    this.svg = svgNode("svg", {width, height, class: "cg-loss", role: "img",
                               "aria-label": text.loss}, parent);
    this.curve = null; this.epoch = null;
  }

  update(curve, epoch) { this.curve = curve; this.epoch = epoch; this.draw(); }

  draw() {
    const svg = this.svg, curve = this.curve;
    const room = svg.parentNode ? svg.parentNode.clientWidth - 16 : 0;  // as wide as its panel
    if (room > this.width) { this.width = Math.min(room, 640); svg.setAttribute("width", this.width); }
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    if (!curve || !curve.epochs.length) { return; }
    const series = [["train", curve.train, "#111827"], ["test", curve.test, "#d97706"]]
      .filter(s => s[1] && s[1].length);
    const left = 46, right = 14, top = 6, bottom = 22;
    const width = this.width - left - right, height = this.height - top - bottom;
    const all = [].concat(...series.map(s => s[1])).filter(v => isFinite(v) && (!this.log || v > 0));
    if (!all.length) { return; }
    const scale = v => this.log ? Math.log10(v) : v;
    let low = this.log ? Math.min(...all) : Math.min(0, ...all), high = Math.max(...all);
    let a = scale(low), b = scale(high);
    if (this.log) { a = Math.floor(a); b = Math.ceil(b); }
    if (b <= a) { b = a + 1; }
    const last = curve.epochs[curve.epochs.length - 1] || 1;
    const x = epoch => left + width * epoch / Math.max(last, 1);
    const y = v => top + height * (b - scale(v)) / (b - a);
    svgNode("rect", {x: left, y: top, width, height, fill: "none", stroke: "#d1d5db"}, svg);
    const ticks = this.log ? Array.from({length: b - a + 1}, (_, k) => Math.pow(10, a + k))
                           : niceTicks(a, b, 4);
    for (const v of ticks) {
      svgNode("line", {x1: left - 3, x2: left + width, y1: y(v), y2: y(v), stroke: "#e5e7eb"}, svg);
      svgNode("text", {x: left - 5, y: y(v) + 3.5, "text-anchor": "end", class: "cg-tick"}, svg)
        .textContent = this.log ? "1e" + Math.round(Math.log10(v)) : number(v, 2);
    }
    for (const epoch of niceTicks(0, last, 4, 1)) {
      svgNode("text", {x: x(epoch), y: this.height - 6, "text-anchor": "middle", class: "cg-tick"}, svg)
        .textContent = String(Math.round(epoch));
    }
    series.forEach(([name, values, colour]) => {
      const points = values.map((v, i) => isFinite(v) && (!this.log || v > 0)
        ? `${x(curve.epochs[i]).toFixed(1)},${y(v).toFixed(1)}` : null).filter(Boolean);
      svgNode("polyline", {fill: "none", stroke: colour, "stroke-width": 1.8,
                           points: points.join(" "), class: "cg-series-" + name}, svg);
    });
    this.legend.textContent = "";
    series.forEach(([name, values, colour]) => {
      const item = node("span", {class: "cg-key"}, this.legend);
      node("i", {style: `background:${colour}`}, item);
      item.appendChild(document.createTextNode(this.text[name === "train" ? "train_loss" : "test_loss"]));
    });
    if (this.epoch !== null && this.epoch !== undefined && curve.cursor) {
      svgNode("line", {x1: x(this.epoch), x2: x(this.epoch), y1: top, y2: top + height,
                       stroke: "#111827", "stroke-dasharray": "3,2", class: "cg-cursor"}, svg);
    }
  }
}

function niceTicks(low, high, count, least) {
  const span = high - low || 1, step0 = Math.max(span / count, least || 0);
  const power = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= step0) || step0;
  const ticks = [];
  for (let v = Math.ceil(low / step) * step; v <= high + 1e-9; v += step) { ticks.push(+v.toFixed(10)); }
  return ticks;
}

// -- the network ------------------------------------------------------------------------------
export class Network {
  constructor(parent, text, handlers) {
    this.text = text; this.handlers = handlers;
    this.box = node("div", {class: "cg-network"}, parent);
    this.svg = svgNode("svg", {class: "cg-edges"}, this.box);
    this.tip = node("div", {class: "cg-tip", role: "tooltip", hidden: ""}, this.box);
    this.byGradient = false;
    this.layoutKey = "";
  }

  // network: {columns: [[{id, kind, label}]], edges: [[tail, head]], units} (the network
  // picture's own boxes and edges, viz.draw_mlp); the inputs' heat maps; editable: the
  // hidden layers may be changed (+ / - buttons); room: the height it may take
  setLayout(network, inputs, small, editable, room) {
    const key = JSON.stringify([network, editable, this.box.clientWidth, room]);
    if (key === this.layoutKey) { return; }
    this.layoutKey = key;
    for (const old of this.box.querySelectorAll(".cg-neuron, .cg-layer-edit")) { old.remove(); }
    while (this.svg.firstChild) { this.svg.removeChild(this.svg.firstChild); }
    this.small = small;
    const columns = network.columns, width = Math.max(this.box.clientWidth, 360);
    const top = editable ? 44 : 14, tallest = Math.max(...columns.map(c => c.length));
    // squares of 34 px, smaller when a tall layer must fit the room (at least 12 px)
    const square = Math.max(12, Math.min(34, Math.floor((room - top) / tallest / 1.25)));
    const gap = Math.round(square / 4);
    const height = top + tallest * (square + gap) + 6;
    this.svg.setAttribute("width", width); this.svg.setAttribute("height", height);
    this.box.style.height = height + "px";
    const left = 52, right = 12;
    const step = (width - left - right - square) / Math.max(columns.length - 1, 1);
    const place = {};
    this.canvases = {};
    columns.forEach((column, c) => {
      const x = left + c * step;
      column.forEach((unit, r) => {
        const y = top + r * (square + gap);
        place[unit.id] = [x, y];
        const box = node("div", {class: "cg-neuron cg-" + unit.kind, "data-id": unit.id,
                                 style: `left:${x}px;top:${y}px;width:${square}px;height:${square}px`},
                         this.box);
        if (unit.kind === "input") {
          this.canvases[unit.id] = node("canvas", {width: small, height: small}, box);
          node("span", {class: "cg-input-label"}, box, unit.label);
          if (inputs[r]) { paint(this.canvases[unit.id], decode(inputs[r]), small); }
        } else if (unit.kind === "neuron" || unit.kind === "max") {
          this.canvases[unit.id] = node("canvas", {width: small, height: small}, box);
          if (unit.kind === "max") { node("span", {class: "cg-box-label"}, box, unit.label); }
          const match = /^n(\d+)_(\d+)$/.exec(unit.id);  // a neuron: its step-through
          if (match && unit.kind === "neuron" && network.explainable) {
            box.classList.add("cg-clickable");
            box.setAttribute("role", "button");
            box.setAttribute("tabindex", "0");
            box.title = this.text.neuron_hint;
            const open = () => this.handlers.neuron(+match[1], +match[2]);
            box.addEventListener("click", open);
            box.addEventListener("keydown", e => { if (e.key === "Enter") { open(); } });
          }
        } else {
          node("span", {class: "cg-box-label"}, box, unit.label);
        }
      });
      const hidden = c > 0 && c < columns.length - 1 && column.every(u => u.kind === "neuron");
      if (editable && hidden) {
        const layer = columns.slice(1, c).filter(col => col.every(u => u.kind === "neuron")).length;
        const edit = node("div", {class: "cg-layer-edit", style: `left:${x - 10}px;top:2px`}, this.box);
        const more = node("button", {type: "button", class: "cg-more", title: this.text.add_neuron,
                                     "aria-label": this.text.add_neuron}, edit, "+");
        const fewer = node("button", {type: "button", class: "cg-fewer", title: this.text.remove_neuron,
                                      "aria-label": this.text.remove_neuron}, edit, "\u2212");
        node("div", {class: "cg-count"}, edit, fill(this.text.neurons, {count: column.length}));
        more.disabled = column.length >= MAX_NEURONS;
        fewer.disabled = column.length <= 1;
        more.addEventListener("click", () => this.handlers.neurons(layer, +1));
        fewer.addEventListener("click", () => this.handlers.neurons(layer, -1));
      }
    });
    this.edges = network.edges.map(([tail, head], i) => {
      const [ax, ay] = place[tail], [bx, by] = place[head];
      const x0 = ax + square, y0 = ay + square / 2, x1 = bx, y1 = by + square / 2;
      const d = `M${x0},${y0} C${(x0 + x1) / 2},${y0} ${(x0 + x1) / 2},${y1} ${x1},${y1}`;
      const path = svgNode("path", {d, fill: "none", class: "cg-edge", "data-edge": i}, this.svg);
      const hit = svgNode("path", {d, fill: "none", stroke: "transparent", "stroke-width": 8,
                                   class: "cg-hit", "data-edge": i}, this.svg);
      hit.addEventListener("mouseenter", event => this.showTip(i, event));
      hit.addEventListener("mousemove", event => this.showTip(i, event));
      hit.addEventListener("mouseleave", () => { this.tip.hidden = true; });
      return path;
    });
  }

  showTip(i, event) {
    if (!this.frame || this.frame.weights[i] === null || this.frame.weights[i] === undefined) { return; }
    const w = this.frame.weights[i], g = this.frame.grads[i];
    this.tip.textContent = fill(this.text.weight_tip, {w: number(w, 4), grad: number(g, 4)});
    const box = this.box.getBoundingClientRect();
    this.tip.style.left = (event.clientX - box.left + 12) + "px";
    this.tip.style.top = (event.clientY - box.top + 12) + "px";
    this.tip.hidden = false;
  }

  update(frame) {
    this.frame = frame;
    if (!this.edges) { return; }
    const weights = frame.weights || [], grads = frame.grads || [];
    const largest = Math.max(1e-12, ...weights.map(w => Math.abs(w || 0)));
    const logs = grads.map(g => Math.log10(Math.abs(g || 0) + 1e-30));
    const high = Math.max(...logs), low = high - 4;
    this.edges.forEach((path, i) => {
      let colour, width;
      if (weights[i] === null || weights[i] === undefined) {  // a Maxout piece to its max
        colour = "#9ca3af"; width = 1;
      } else if (this.byGradient) {
        const t = Math.max(0, Math.min(1, (logs[i] - low) / (high - low)));
        const k = Math.min(2, Math.floor(t * 3));
        colour = rgb(mix(GRAD_SCALE[k], GRAD_SCALE[k + 1], t * 3 - k));
        width = 2;
      } else {
        const w = weights[i];
        colour = w > 0 ? rgb(POSITIVE) : w < 0 ? rgb(NEGATIVE) : "#9ca3af";
        width = 0.5 + 4.5 * Math.abs(w) / largest;
      }
      path.setAttribute("stroke", colour);
      path.setAttribute("stroke-width", width.toFixed(2));
    });
    for (const [id, cells] of Object.entries(frame.maps || {})) {
      if (this.canvases[id]) { paint(this.canvases[id], decode(cells), this.small); }
    }
  }
}

// -- the controls ------------------------------------------------------------------------------
class Controls {
  constructor(model, text, parents) {
    this.model = model; this.text = text;
    this.fields = {};
    const select = (parent, name, options, label, format) => {
      const field = node("label", {class: "cg-field", "data-control": name}, parent);
      node("span", {class: "cg-label"}, field, label);
      const input = node("select", {name}, field);
      input.dataset.options = JSON.stringify(options);
      input.addEventListener("change", () => {
        const raw = input.value;
        this.change(name, typeof options[0] === "number" ? Number(raw) : raw);
      });
      this.fields[name] = {field, input, options, format: format || (v => String(v))};
    };
    const range = (parent, name, min, max, step, label, format) => {
      const field = node("label", {class: "cg-field", "data-control": name}, parent);
      const title = node("span", {class: "cg-label"}, field, label + " ");
      const shown = node("output", {}, title);
      const input = node("input", {type: "range", name, min, max, step}, field);
      input.addEventListener("input", () => { shown.textContent = format(Number(input.value)); });
      input.addEventListener("change", () => this.change(name, Number(input.value)));
      this.fields[name] = {field, input, shown, format};
    };
    const top = parents.top, data = parents.data;
    select(top, "lr", LEARNING_RATES, text.lr);
    select(top, "activation", ACTIVATIONS, text.activation, v => text["act_" + v] || v);
    select(top, "regularization", ["none", "L1", "L2"], text.regularization,
           v => v === "none" ? text.none : v);
    select(top, "reg_rate", REG_RATES, text.reg_rate);
    select(top, "problem", ["classification", "regression"], text.problem, v => text[v]);
    select(data, "data", [], text.data, v => text["data_" + v] || v);
    range(data, "noise", 0, 0.5, 0.05, text.noise, v => v.toFixed(2));
    range(data, "train_percent", 10, 90, 10, text.train_percent, v => v + "%");
    range(data, "batch_size", 1, 30, 1, text.batch_size, v => String(v));
    select(data, "points", POINT_COUNTS, text.points);
    const seed = node("label", {class: "cg-field", "data-control": "seed"}, data);
    node("span", {class: "cg-label"}, seed, text.seed);
    const row = node("span", {class: "cg-row"}, seed);
    const seedInput = node("input", {type: "number", name: "seed", min: 0, step: 1}, row);
    const again = node("button", {type: "button", class: "cg-reseed"}, row, text.new_seed);
    seedInput.addEventListener("change", () => this.change("seed", Math.max(0, Math.round(Number(seedInput.value) || 0))));
    again.addEventListener("click", () => this.change("seed", Math.floor(Math.random() * 100000)));
    this.fields.seed = {field: seed, input: seedInput};
    const features = node("fieldset", {class: "cg-field cg-features", "data-control": "features"},
                          parents.features);
    node("legend", {class: "cg-label"}, features, text.features);
    this.featureBoxes = FEATURES.map(name => {
      const label = node("label", {class: "cg-inline"}, features);
      const box = node("input", {type: "checkbox", name: "feature-" + name, value: name}, label);
      label.appendChild(document.createTextNode(" " + (text["feature_" + name] || name)));
      box.addEventListener("change", () => {
        const chosen = this.featureBoxes.filter(b => b.checked).map(b => b.value);
        if (chosen.length) { this.change("features", chosen); } else { box.checked = true; }
      });
      return box;
    });
    this.fields.features = {field: features, inputs: this.featureBoxes};
  }

  change(name, value) {
    const setup = Object.assign({}, this.model.get("setup"));
    setup[name] = value;
    if (name === "problem") { setup.data = DATASETS[value][0]; }
    this.model.set("setup", setup);
    this.model.save_changes();
  }

  update(setup, locked) {
    const hidden = new Set(setup.hide || []), fixed = new Set(locked || []);
    for (const [name, f] of Object.entries(this.fields)) {
      // a control the learner's own model or data decides is not shown: its value would
      // describe another experiment
      f.field.hidden = hidden.has(name) || fixed.has(name);
      const disabled = fixed.has(name);
      if (f.inputs) { f.inputs.forEach(i => { i.disabled = disabled; }); } else { f.input.disabled = disabled; }
    }
    const options = name => name === "data" ? DATASETS[setup.problem] : this.fields[name].options;
    for (const name of ["lr", "activation", "regularization", "reg_rate", "problem", "data", "points"]) {
      const f = this.fields[name], value = setup[name];
      let choices = options(name).slice();
      if (!choices.includes(value)) { choices.push(value); }
      if (typeof choices[0] === "number") { choices.sort((p, q) => p - q); }
      const key = JSON.stringify(choices);
      if (f.input.dataset.shown !== key) {
        f.input.textContent = "";
        for (const choice of choices) { node("option", {value: String(choice)}, f.input, f.format(choice)); }
        f.input.dataset.shown = key;
      }
      f.input.value = String(value);
    }
    f_range(this.fields.noise, setup.noise);
    f_range(this.fields.train_percent, setup.train_percent);
    f_range(this.fields.batch_size, setup.batch_size);
    this.fields.seed.input.value = String(setup.seed);
    this.featureBoxes.forEach(box => { box.checked = setup.features.includes(box.value); });
    this.fields.reg_rate.input.disabled ||= setup.regularization === "none";
  }
}

function f_range(f, value) {
  f.input.value = String(value);
  f.shown.textContent = f.format(Number(value));
}

// -- the whole view -----------------------------------------------------------------------------
function render({model, el}) {
  const text = model.get("text");
  const replay = () => Boolean((model.get("scene") || {}).replay);
  const root = node("div", {class: "cg-playground", lang: model.get("lang") || "en"}, el);
  const top = node("div", {class: "cg-top"}, root);
  const buttons = node("div", {class: "cg-buttons"}, top);
  const resetButton = node("button", {type: "button", class: "cg-reset", title: text.reset_hint}, buttons, "\u21ba " + text.reset);
  const playButton = node("button", {type: "button", class: "cg-play"}, buttons);
  const stepButton = node("button", {type: "button", class: "cg-step", title: text.step_hint}, buttons, text.step + " \u25b6|");
  const epochBox = node("div", {class: "cg-epoch-box"}, top);
  node("span", {class: "cg-label"}, epochBox, text.epoch);
  const epochText = node("span", {class: "cg-epoch"}, epochBox);
  const slider = node("input", {type: "range", class: "cg-slider", min: 0, max: 0, value: 0,
                                "aria-label": text.epoch}, epochBox);
  const controlsTop = node("div", {class: "cg-controls"}, top);
  const help = node("p", {class: "cg-help"}, root, text.help);
  const note = node("p", {class: "cg-note", role: "status", hidden: ""}, root);

  const main = node("div", {class: "cg-main"}, root);
  const dataPanel = node("section", {class: "cg-panel cg-data"}, main);
  node("h3", {}, dataPanel, text.data_heading);
  const netPanel = node("section", {class: "cg-panel cg-net"}, main);
  const netHead = node("div", {class: "cg-net-head"}, netPanel);
  node("h3", {}, netHead, text.network_heading);
  const layers = node("span", {class: "cg-layers", "data-control": "hidden"}, netHead);
  const addLayer = node("button", {type: "button", class: "cg-add-layer", title: text.add_layer,
                                   "aria-label": text.add_layer}, layers, "+");
  const removeLayer = node("button", {type: "button", class: "cg-remove-layer", title: text.remove_layer,
                                      "aria-label": text.remove_layer}, layers, "\u2212");
  const layerCount = node("span", {class: "cg-label"}, layers);
  const gradientLabel = node("label", {class: "cg-inline cg-gradient-toggle"}, netHead);
  const gradientBox = node("input", {type: "checkbox", class: "cg-by-gradient"}, gradientLabel);
  gradientLabel.appendChild(document.createTextNode(" " + text.by_gradient));
  const featurePanel = node("div", {class: "cg-feature-panel"}, netPanel);
  const network = new Network(netPanel, text, {
    neuron: (layer, index) => {
      detail.loading(); model.send({kind: "neuron", layer, index});
    },
    neurons: (layer, change) => {
      const setup = Object.assign({}, model.get("setup"));
      const hidden = setup.hidden.slice();
      hidden[layer] = Math.max(1, Math.min(MAX_NEURONS, hidden[layer] + change));
      controls.change("hidden", hidden);
    },
  });
  const legend = node("p", {class: "cg-hint cg-net-legend"}, netPanel);
  const outPanel = node("section", {class: "cg-panel cg-out"}, main);
  node("h3", {}, outPanel, text.output_heading);
  const losses = node("p", {class: "cg-losses"}, outPanel);
  const chart = new LossChart(outPanel, text, 310, 130);
  const boundary = new HeatMap(outPanel, 300);
  const testLabel = node("label", {class: "cg-inline"}, outPanel);
  const testBox = node("input", {type: "checkbox", class: "cg-show-test", checked: ""}, testLabel);
  testLabel.appendChild(document.createTextNode(" " + text.show_test));
  const classKey = node("p", {class: "cg-classes"}, outPanel);
  const colourKey = node("p", {class: "cg-hint cg-colour-key"}, outPanel);

  const controls = new Controls(model, text, {top: controlsTop, data: dataPanel, features: featurePanel});
  const detail = new Detail(root, text, () => model.send({kind: "close"}), main);

  playButton.addEventListener("click", () => { model.set("playing", !model.get("playing")); model.save_changes(); });
  stepButton.addEventListener("click", () => model.send({kind: "step"}));
  resetButton.addEventListener("click", () => model.send({kind: "reset"}));
  slider.addEventListener("input", () => model.send({kind: "seek", index: Number(slider.value)}));
  gradientBox.addEventListener("change", () => { network.byGradient = gradientBox.checked; drawScene(); });
  testBox.addEventListener("change", () => { boundary.showTest = testBox.checked; drawFrame(); });
  const changeLayers = change => {
    const hidden = model.get("setup").hidden.slice();
    if (change > 0 && hidden.length < MAX_LAYERS) { hidden.push(hidden.length ? hidden[hidden.length - 1] : 2); }
    if (change < 0 && hidden.length) { hidden.pop(); }
    controls.change("hidden", hidden);
  };
  addLayer.addEventListener("click", () => changeLayers(+1));
  removeLayer.addEventListener("click", () => changeLayers(-1));

  function drawScene() {
    const scene = model.get("scene") || {}, setup = model.get("setup") || {};
    const locked = scene.locked || [];
    root.classList.toggle("cg-replay", replay());
    controls.update(setup, locked);
    const hiddenControls = new Set(setup.hide || []);
    layers.hidden = hiddenControls.has("hidden") || locked.includes("hidden") || replay();
    layerCount.textContent = fill(text.hidden_layers, {count: (setup.hidden || []).length});
    addLayer.disabled = (setup.hidden || []).length >= MAX_LAYERS;
    removeLayer.disabled = !(setup.hidden || []).length;
    const editable = !layers.hidden;
    if (scene.network) {  // in the replay the network has the window's height
      const room = replay() ? Math.max(300, window.innerHeight - netPanel.getBoundingClientRect().top - 90) : 420;
      network.setLayout(scene.network, scene.inputs || [], scene.small, editable, room);
    }
    classKey.textContent = "";
    (scene.classes || []).forEach((name, k) => {
      const item = node("span", {class: "cg-key"}, classKey);
      const colour = scene.palette ? scene.palette[k % scene.palette.length] : rgb(k ? POSITIVE : NEGATIVE);
      node("i", {class: "cg-swatch", style: `background:${colour}`}, item);
      item.appendChild(document.createTextNode(name));
    });
    legend.textContent = !scene.network ? text.no_network
      : network.byGradient ? text.gradient_legend : text.network_legend;
    boundary.box.hidden = !scene.two_d;
    testLabel.hidden = !scene.two_d || !scene.points || scene.train >= scene.points.length;
    colourKey.textContent = scene.two_d ? (scene.classification ? text.colour_classes : text.colour_values) : text.not_2d;
    if (replay()) {
      slider.max = String(scene.replay.count - 1);
    }
    drawFrame();
  }

  let pending = false;
  // the numbers at once, the pictures at the next animation frame (only the latest frame's)
  function drawNumbers() {
    const frame = model.get("frame") || {}, scene = model.get("scene") || {};
    const epoch = frame.epoch !== undefined ? frame.epoch : model.get("epoch");
    epochText.textContent = replay() ? fill(text.epoch_of, {epoch, epochs: scene.replay.epochs})
                                     : String(epoch).padStart(6, "0");
    epochText.dataset.epoch = String(epoch);
    if (replay()) { slider.value = String(frame.index || 0); }
    const train = frame.train_loss, test = frame.test_loss;
    losses.textContent = train === undefined || train === null ? "" :
      fill(test === undefined || test === null ? text.train_only : text.losses, {train: number(train), test: number(test)})
      + (frame.accuracy === undefined ? "" : "   " + fill(text.accuracy, {percent: (100 * frame.accuracy).toFixed(1)}));
  }
  function drawPictures() {
    const frame = model.get("frame") || {}, scene = model.get("scene") || {};
    epochText.dataset.drawn = String(+(epochText.dataset.drawn || 0) + 1);  // frames drawn so far
    chart.update(frame.curve || scene.curve, frame.epoch);
    network.update(frame);
    if (scene.two_d) { boundary.update(scene, frame.boundary); }
  }
  function drawFrame() { drawNumbers(); drawPictures(); }
  function scheduleFrame() {
    drawNumbers();
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(() => { pending = false; drawPictures(); model.send({kind: "drawn"}); });
  }
  function drawPlaying() {
    const playing = model.get("playing");
    playButton.textContent = playing ? "\u275a\u275a " + text.pause : "\u25b6 " + text.play;
    playButton.classList.toggle("cg-playing", playing);
    playButton.title = text.play_hint;
  }
  function drawNote() {
    const message = model.get("note");
    note.textContent = message || "";
    note.hidden = !message;
  }
  function drawDetail() { detail.show(model.get("detail")); }

  const listeners = [["change:scene", drawScene], ["change:setup", drawScene], ["change:frame", scheduleFrame],
                     ["change:playing", drawPlaying], ["change:note", drawNote], ["change:detail", drawDetail]];
  listeners.forEach(([event, callback]) => model.on(event, callback));
  const resized = new ResizeObserver(() => drawScene());
  // the layout follows the panel's width (a notebook's output area, a window)
  requestAnimationFrame(() => resized.observe(netPanel));
  drawScene(); drawPlaying(); drawNote(); drawDetail();
  return () => {
    resized.disconnect();
    listeners.forEach(([event, callback]) => model.off(event, callback));
  };
}

// -- the step-through of a clicked neuron --------------------------------------------------------
class Detail {  // shown in the place of the main panels, as tall as the window allows
  constructor(root, text, onClose, main) {
    this.main = main;
    this.box = node("div", {class: "cg-detail", hidden: "", role: "dialog", "aria-label": text.detail_title}, root);
    const bar = node("div", {class: "cg-detail-bar"}, this.box);
    node("strong", {}, bar, text.detail_title);
    this.status = node("span", {class: "cg-hint"}, bar);
    const close = node("button", {type: "button", class: "cg-close"}, bar, "\u2715 " + text.close);
    this.text = text;
    close.addEventListener("click", () => { this.hide(); onClose(); });
    this.frame = null;
  }

  loading() { this.box.hidden = false; this.main.hidden = true; this.status.textContent = " " + this.text.working; }

  hide() { this.box.hidden = true; this.main.hidden = false; }

  show(page) {
    if (!page) { this.hide(); return; }
    this.status.textContent = "";
    if (this.frame) { this.frame.remove(); }
    this.frame = node("iframe", {class: "cg-stepper", sandbox: "allow-scripts", title: this.text.detail_title}, this.box);
    // a frame of fixed size: the step-through fits it (its panel, then its graph to the bottom)
    this.frame.srcdoc = page.replace("<body>", '<body data-frame="fixed">');
    this.box.hidden = false;
    this.main.hidden = true;
  }
}

// -- hosts other than the notebook: the same model interface -------------------------------
class Emitter {
  constructor(state) { this.state = state; this.handlers = {}; }
  get(name) { return this.state[name]; }
  on(event, callback) { (this.handlers[event] ||= []).push(callback); }
  off(event, callback) { this.handlers[event] = (this.handlers[event] || []).filter(c => c !== callback); }
  emit(changes) {
    Object.assign(this.state, changes);
    for (const name of Object.keys(changes)) { (this.handlers["change:" + name] || []).forEach(c => c()); }
  }
}

// The served page: the state lives in Python; changes come and go over a WebSocket.
export function socketModel(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let model = null, dirty = {};
    socket.addEventListener("message", event => {
      const message = JSON.parse(event.data);
      if (message.kind === "state") {
        model = new Emitter(message.state);
        model.set = (name, value) => { model.state[name] = value; dirty[name] = value; };
        model.save_changes = () => {
          const changes = dirty; dirty = {};
          socket.send(JSON.stringify({kind: "set", changes}));
          model.emit(changes);
        };
        model.send = content => socket.send(JSON.stringify({kind: "message", content}));
        model.socket = socket;
        resolve(model);
      } else if (message.kind === "change" && model) {
        model.emit(message.changes);
      }
    });
    socket.addEventListener("error", () => reject(new Error("the playground's server refused the connection")));
    socket.addEventListener("close", () => { if (model) { model.emit({note: model.get("text").disconnected, playing: false}); } });
  });
}

// A recorded run (the replay page): the frames are all here, the host plays them.
export function replayModel(state, frames, interval) {
  const model = new Emitter(Object.assign({}, state));
  let index = 0, timer = null;
  const show = k => {
    index = Math.max(0, Math.min(frames.length - 1, k));
    model.emit({frame: Object.assign({index}, frames[index]), epoch: frames[index].epoch});
  };
  const pause = () => { if (timer !== null) { clearInterval(timer); timer = null; } model.emit({playing: false}); };
  const play = () => {
    if (index === frames.length - 1) { show(0); }
    model.emit({playing: true});
    timer = setInterval(() => { show(index + 1); if (index >= frames.length - 1) { pause(); } }, interval);
  };
  model.set = (name, value) => { if (name === "playing") { value ? play() : pause(); } };
  model.save_changes = () => {};
  model.send = content => {
    const moves = {step: index + 1, back: index - 1, reset: 0, end: frames.length - 1, seek: Number(content.index)};
    if (content.kind in moves) { pause(); show(moves[content.kind]); }
  };
  show(0);
  return model;
}

// Keys for a page that is the playground alone (not a notebook): space, arrows, Home, End.
export function bindKeys(model) {
  document.addEventListener("keydown", event => {
    if (event.target && /INPUT|SELECT|TEXTAREA|BUTTON/.test(event.target.tagName) && event.key !== " ") { return; }
    const kinds = {ArrowRight: "step", ArrowLeft: "back", Home: "reset", End: "end"};
    if (event.key === " ") {
      event.preventDefault(); model.set("playing", !model.get("playing")); model.save_changes();
    } else if (event.key in kinds) {
      event.preventDefault(); model.send({kind: kinds[event.key]});
    }
  });
}

export default { render };

// -- the pages: viz/playground.html inlines this module and calls one of these ----------------
export function replayPage(data, el) {
  const model = replayModel(data.state, data.frames, data.interval);
  render({model, el});
  bindKeys(model);
  return model;
}

export async function servedPage(el) {
  const token = new URLSearchParams(location.search).get("token") || "";
  const model = await socketModel(`ws://${location.host}/socket?token=${encodeURIComponent(token)}`);
  const address = () => history.replaceState(null, "", "#" + model.get("query"));
  if (location.hash.length > 1) { model.send({kind: "address", query: location.hash.slice(1)}); }
  else { address(); }
  model.on("change:query", address);
  render({model, el});
  bindKeys(model);
  return model;
}
