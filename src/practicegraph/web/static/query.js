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
  var prefixes = predefinedPrefixes();
  knowPrefixes(window.Yasgui.Yasqe, prefixes);
  configureTable(window.Yasgui.Yasr.plugins.table, localIriRules());

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
    yasr: { prefixes: prefixes }, // results show schema:Event, not the whole IRI
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

  /* Which IRIs this service resolves, and where: written by the page (query_page.py).
   * A page without them (an older template) links IRIs under the project's site. */
  function localIriRules() {
    var rules = document.getElementById("local-iris-data");
    if (rules) {
      return JSON.parse(rules.textContent);
    }
    return [{ iri: "https://w3id.org/practicegraph/", path: "/", exact: false }];
  }

  /* The prefixes the endpoint predefines (sparql_syntax.PREDEFINED), from the page. */
  function predefinedPrefixes() {
    var given = document.getElementById("prefixes-data");
    return given ? JSON.parse(given.textContent) : {};
  }

  /* The editor's syntax check starts out knowing the predefined prefixes, so a query
   * using them undeclared is not marked as an error (the endpoint runs it). */
  function knowPrefixes(Yasqe, known) {
    var original = Yasqe.modes && Yasqe.modes.sparql11;
    if (typeof original !== "function" || !Object.keys(known).length) {
      return;
    }
    Yasqe.defineMode("sparql11", function (config, parserConfig) {
      var mode = original(config, parserConfig);
      var startState = mode.startState;
      mode.startState = function () {
        var state = startState.apply(this, arguments);
        state.prefixes = Object.assign({}, known, state.prefixes);
        return state;
      };
      return mode;
    });
  }

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  /* The local path of an IRI this service resolves (escaped as LinkedDataPaths.local
   * escapes it), or null. */
  function localPath(rules, iri) {
    for (var i = 0; i < rules.length; i++) {
      var rule = rules[i];
      var matches = rule.exact ? iri === rule.iri : iri.indexOf(rule.iri) === 0;
      if (matches) {
        var path = rule.path + iri.substring(rule.iri.length);
        return encodeURI(path).replace(/%25([0-9A-Fa-f]{2})/g, "%$1");
      }
    }
    return null;
  }

  /* The results table: IRIs link to their page here when this service resolves them
   * (else to the IRI itself if it is a web address, else nowhere); a literal shows its
   * value, with its language or datatype as a small note beside it. */
  function configureTable(Table, rules) {
    var XSD = "http://www.w3.org/2001/XMLSchema#";
    var RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    Table.defaults.openIriInNewWindow = false;
    // the browser sizes the columns by their content (DataTables' measured widths gave
    // a long IRI half the table and squeezed the quotes)
    Table.defaults.tableConfig.autoWidth = false;
    // whole values, wrapped in their column, unless the reader switches ellipsis on
    var draw = Table.prototype.draw;
    Table.prototype.draw = function (config) {
      return draw.call(this, Object.assign({ isEllipsed: false }, config));
    };

    function shortName(iri, prefixes) {
      for (var name in prefixes || {}) {
        if (Object.prototype.hasOwnProperty.call(prefixes, name) && prefixes[name] && iri.indexOf(prefixes[name]) === 0) {
          return name + ":" + iri.substring(prefixes[name].length);
        }
      }
      return null;
    }

    Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      var iri = binding.value;
      var prefixed = shortName(iri, prefixes);
      var label = prefixed || iri;
      var href = localPath(rules, iri) || (/^https?:/i.test(iri) ? iri : null);
      var link = href
        ? '<a class="iri" href="' + escapeHtml(href) + '" title="' + escapeHtml(iri) + '">' + escapeHtml(label) + "</a>"
        : '<span class="iri">' + escapeHtml(label) + "</span>";
      return prefixed || this.persistentConfig.compact ? link : "&lt;" + link + "&gt;";
    };

    Table.prototype.formatLiteral = function (binding, prefixes) {
      var value = escapeHtml(binding.value);
      if (this.persistentConfig.compact) {
        return value;
      }
      var lang = binding["xml:lang"];
      if (lang) {
        return value + ' <small class="literal-note" title="language">' + escapeHtml(lang) + "</small>";
      }
      var datatype = binding.datatype;
      if (datatype && datatype !== XSD + "string" && datatype !== RDF + "langString") {
        var name = datatype.indexOf(XSD) === 0 ? datatype.substring(XSD.length) : shortName(datatype, prefixes) || datatype;
        return value + ' <small class="literal-note" title="' + escapeHtml(datatype) + '">' + escapeHtml(name) + "</small>";
      }
      return value;
    };
  }
})();
