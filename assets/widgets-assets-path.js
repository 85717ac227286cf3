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
