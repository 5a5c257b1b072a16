// The list's "Export" button exports what the list shows: give its link the list's filters and search.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.location.search) return;
  document.querySelectorAll('a[href$="/export-list/"]').forEach(function (link) {
    link.href = link.href + window.location.search;
  });
});
