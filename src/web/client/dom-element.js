// The DOM builder the page scripts share, inlined before each of them so that every page stays one
// self-contained file. el(tag, attrs, children): attrs "text" sets the text, "cls" the class, any
// other key an attribute; children are nodes or strings, and empty ones (null, false, "") are skipped.
function el(tag, attrs, children) {
  var node = document.createElement(tag);
  if (attrs)
    for (var k in attrs) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
  (children || []).forEach(function (c) {
    if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  });
  return node;
}
