from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'folder_sub.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_letter = resolve('letter')
    l_0_parts = resolve('parts')
    l_0_part = resolve('part')
    l_0_navigation = resolve('navigation')
    l_0_entries = resolve('entries')
    l_0_hidden = resolve('hidden')
    try:
        t_1 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_2 = environment.filters['text']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'text' found.")
    try:
        t_3 = environment.filters['upper']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'upper' found.")
    pass
    yield '# '
    yield str(t_1((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield ' — symbols'
    if (undefined(name='letter') if l_0_letter is missing else l_0_letter):
        pass
        yield ': '
        yield str(t_2(t_3((undefined(name='letter') if l_0_letter is missing else l_0_letter))))
        if ((undefined(name='parts') if l_0_parts is missing else l_0_parts) > 1):
            pass
            yield ' ('
            yield str((undefined(name='part') if l_0_part is missing else l_0_part))
            yield ' of '
            yield str((undefined(name='parts') if l_0_parts is missing else l_0_parts))
            yield ')'
    yield '\n\n'
    l_1_loop = missing
    for (l_1_label, l_1_target), l_1_loop in LoopContext((undefined(name='navigation') if l_0_navigation is missing else l_0_navigation), undefined):
        _loop_vars = {}
        pass
        yield '['
        yield str(t_2(l_1_label))
        yield ']('
        yield str(l_1_target)
        yield ')'
        yield str((' · ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 7 in 'folder_sub.md.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_label = l_1_target = missing
    yield '\n'
    if (undefined(name='entries') if l_0_entries is missing else l_0_entries):
        pass
        yield '\n| Symbol | Kind | Defined at |\n| --- | --- | --- |\n'
        for (l_1_name, l_1_target, l_1_kind, l_1_where) in (undefined(name='entries') if l_0_entries is missing else l_0_entries):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(l_1_name)
            yield ']('
            yield str(l_1_target)
            yield ') | '
            yield str(l_1_kind)
            yield ' | '
            yield str(l_1_where)
            yield ' |\n'
        l_1_name = l_1_target = l_1_kind = l_1_where = missing
        if (undefined(name='hidden') if l_0_hidden is missing else l_0_hidden):
            pass
            yield '\n'
            yield str((undefined(name='hidden') if l_0_hidden is missing else l_0_hidden))
            yield '.\n'
    else:
        pass
        yield '\nNo symbols are defined in this folder.\n'

blocks = {}
debug_info = '3=37&4=39&7=52&9=63&13=66&14=70&16=79&18=82'