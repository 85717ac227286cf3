// Loaded just before require.js and the ipywidgets html-manager (embed-amd.js).
// The html-manager looks for its icon fonts next to the address require.js
// gives its own module; map that module to _static/html-manager/, where the
// fonts are, instead of a folder beside the page. require.js reads a global
// `require` object defined before it loads as its configuration.
var require = {
  paths: {
    "@jupyter-widgets/html-manager/dist": new URL("html-manager", document.currentScript.src).href,
  },
};

// The html-manager typesets widget descriptions, Labels, Checkboxes and
// HTMLMath with the MathJax 2 API, `MathJax.Hub.Queue(["Typeset", MathJax.Hub,
// element])`, whenever `window.MathJax` exists; the site loads MathJax 3, which
// has no `Hub`, so every such widget threw. Give whatever object is
// `window.MathJax` (Sphinx's configuration object now, MathJax 3 itself once it
// has loaded) a non-enumerable `Hub` whose `Queue` hands the elements to
// MathJax 3's `typesetPromise` after MathJax 3 has started. Non-enumerable, so
// MathJax 3 never sees it among its configuration options.
(function () {
  var pending = [];
  var waits = 0;
  function typesetPending() {
    var mathjax = window.MathJax;
    if (!(mathjax && mathjax.startup && mathjax.startup.promise && mathjax.typesetPromise)) {
      if (waits++ < 1200) setTimeout(typesetPending, 50); // MathJax 3 has not started yet
      return;
    }
    var elements = pending.splice(0);
    if (!elements.length) return;
    mathjax.startup.promise = mathjax.startup.promise
      .then(function () { return mathjax.typesetPromise(elements); })
      .catch(function (error) { console.warn("MathJax could not typeset a widget:", error); });
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) pending.push(job[2]);
      }
      typesetPending();
    },
  };
  function addHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !("Hub" in mathjax)) {
      Object.defineProperty(mathjax, "Hub", { value: hub, enumerable: false, configurable: true });
    }
  }
  var current = window.MathJax;
  addHub(current);
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      enumerable: true,
      get: function () { return current; },
      set: function (value) { current = value; addHub(value); },
    });
  } catch (error) {
    // window.MathJax cannot be redefined: the Hub added to the current object has to do.
  }
})();
