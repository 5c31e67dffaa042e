def case_panel_context(request, case):  # placeholder, replaced below
    return {}
