/* The SPARQL editor page: YASGUI on this service's /sparql, and the example buttons.
 *
 * Nothing here reaches another host: the endpoint is this page's origin, the
 * endpoint catalogue lists only it, and YASQE's network autocompleters are off
 * (the 4.x defaults: no prefix.cc, no LOV).
 */
(function () {
  "use strict";
  var host = document.getElementById("yasgui");
  var data = document.getElementById("examples-data");
  if (!host || !data || typeof window.Yasgui !== "function") {
    return;
  }
  var examples = JSON.parse(data.textContent);
  var endpoint = new URL(host.getAttribute("data-endpoint"), window.location.href).href;
  document.documentElement.classList.add("js");

  var yasgui = new window.Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    yasqe: { value: examples.length ? examples[0].query : "" },
  });

  function use(example, run) {
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    tab.setQuery(example.query);
    host.scrollIntoView({ behavior: "smooth", block: "start" });
    if (run) {
      tab.query();
    } else {
      tab.getYasqe().focus();
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("button[data-example]"), function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.getAttribute("data-example"))];
      if (example) {
        use(example, button.getAttribute("data-run") === "true");
      }
    });
  });
  window.practicegraphEditor = yasgui; // for the browser tests and the curious
})();
