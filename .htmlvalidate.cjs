// html-validate's recommended rules on the built site (tests/test_accessibility.py,
// scripts/audit_site.py). What is turned off or relaxed, and why:
module.exports = {
  extends: ["html-validate:recommended"],
  rules: {
    // How generated HTML is laid out, not what a reader gets.
    "no-trailing-whitespace": "off",
    "doctype-style": "off",
    "attribute-boolean-style": "off",
    // HTML allows any id without spaces; the theme's and pymdownx's ids start with "__".
    "valid-id": ["error", { relaxed: true }],
    // A notebook page's title is its snippet's heading; a browser tab shortens a long one itself.
    "long-title": "off",
    // The theme's own markup, kept as the theme writes it:
    // autocomplete="off" on its two hidden toggle checkboxes (drawer, search) keeps a browser from
    // restoring an open drawer or search box when the reader comes Back to a page;
    "valid-autocomplete": "off",
    // the search form searches as one types and has no submit button;
    "wcag/h32": "off",
    // the language button is in no form, so without a type it submits nothing.
    "no-implicit-button-type": "off",
  },
};
