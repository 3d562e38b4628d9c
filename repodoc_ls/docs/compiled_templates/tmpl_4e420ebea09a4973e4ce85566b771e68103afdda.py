from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'folder_sub_letters.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_navigation = resolve('navigation')
    l_0_total = resolve('total')
    l_0_split_parts = resolve('split_parts')
    l_0_letters = resolve('letters')
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
    yield ' — symbols\n\n'
    l_1_loop = missing
    for (l_1_label, l_1_target), l_1_loop in LoopContext((undefined(name='navigation') if l_0_navigation is missing else l_0_navigation), undefined):
        _loop_vars = {}
        pass
        yield '['
        yield str(t_2(l_1_label))
        yield ']('
        yield str(l_1_target)
        yield ')'
        yield str((' · ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 3 in 'folder_sub_letters.md.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_label = l_1_target = missing
    yield '\n\n'
    yield str((undefined(name='total') if l_0_total is missing else l_0_total))
    yield ' symbols, one page per initial letter (leading underscores ignored).\n\n'
    if (undefined(name='split_parts') if l_0_split_parts is missing else l_0_split_parts):
        pass
        yield '| Letter | Symbols | Parts, by first symbol |\n| --- | ---: | --- |\n'
        l_1_loop = missing
        for (l_1_letter, l_1_count, l_1_target, l_1_parts), l_1_loop in LoopContext((undefined(name='letters') if l_0_letters is missing else l_0_letters), undefined):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(t_2(t_3(l_1_letter)))
            yield ']('
            yield str(l_1_target)
            yield ') | '
            yield str(l_1_count)
            yield ' | '
            l_2_loop = missing
            for (l_2_first, l_2_part), l_2_loop in LoopContext(l_1_parts, undefined):
                _loop_vars = {}
                pass
                yield '['
                yield str(l_2_first)
                yield ']('
                yield str(l_2_part)
                yield ')'
                yield str((' · ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 12 in 'folder_sub_letters.md.j2' evaluated to false and no else section was defined.")))
            l_2_loop = l_2_first = l_2_part = missing
            yield ' |\n'
        l_1_loop = l_1_letter = l_1_count = l_1_target = l_1_parts = missing
    else:
        pass
        yield '| Letter | Symbols |\n| --- | ---: |\n'
        for (l_1_letter, l_1_count, l_1_target, l_1_parts) in (undefined(name='letters') if l_0_letters is missing else l_0_letters):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(t_2(t_3(l_1_letter)))
            yield ']('
            yield str(l_1_target)
            yield ') | '
            yield str(l_1_count)
            yield ' |\n'
        l_1_letter = l_1_count = l_1_target = l_1_parts = missing
    if (undefined(name='hidden') if l_0_hidden is missing else l_0_hidden):
        pass
        yield '\n'
        yield str((undefined(name='hidden') if l_0_hidden is missing else l_0_hidden))
        yield '.\n'

blocks = {}
debug_info = '1=36&3=39&6=50&8=52&11=56&12=60&17=82&18=86&21=93&23=96'