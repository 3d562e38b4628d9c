from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'file_kw.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_total = resolve('total')
    l_0_docs_link = resolve('docs_link')
    l_0_source_link = resolve('source_link')
    l_0_folder_link = resolve('folder_link')
    l_0_folder_doc_link = resolve('folder_doc_link')
    l_0_groups = resolve('groups')
    l_0_unknown_counts = resolve('unknown_counts')
    l_0_more = resolve('more')
    try:
        t_1 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '# '
    yield str(t_1((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield ' — keywords\n\n'
    yield str((undefined(name='total') if l_0_total is missing else l_0_total))
    yield ' keyword'
    yield str(('s' if ((undefined(name='total') if l_0_total is missing else l_0_total) != 1) else cond_expr_undefined("the inline if-expression on line 4 in 'file_kw.md.j2' evaluated to false and no else section was defined.")))
    yield ' · [documentation]('
    yield str((undefined(name='docs_link') if l_0_docs_link is missing else l_0_docs_link))
    yield ') · [source]('
    yield str((undefined(name='source_link') if l_0_source_link is missing else l_0_source_link))
    yield ') · [folder index]('
    yield str((undefined(name='folder_link') if l_0_folder_link is missing else l_0_folder_link))
    yield ') · [folder overview]('
    yield str((undefined(name='folder_doc_link') if l_0_folder_doc_link is missing else l_0_folder_doc_link))
    yield ')\n\n'
    for l_1_group in (undefined(name='groups') if l_0_groups is missing else l_0_groups):
        _loop_vars = {}
        pass
        yield '## '
        yield str(environment.getattr(l_1_group, 'title'))
        yield ' ('
        yield str(t_2(environment.getattr(l_1_group, 'rows')))
        yield ')\n\n'
        if environment.getattr(l_1_group, 'imports'):
            pass
            yield '| Keyword | Line | Entry | Resolves to | '
            yield str(environment.getattr(l_1_group, 'others_title'))
            yield ' |\n| --- | --- | --- | --- | --- |\n'
            for (l_2_name, l_2_line, l_2_entry, l_2_resolves, l_2_others) in environment.getattr(l_1_group, 'rows'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(l_2_name)
                yield ' | '
                yield str(l_2_line)
                yield ' | [import]('
                yield str(l_2_entry)
                yield ') | '
                yield str(l_2_resolves)
                yield ' | '
                yield str(l_2_others)
                yield ' |\n'
            l_2_name = l_2_line = l_2_entry = l_2_resolves = l_2_others = missing
        else:
            pass
            yield '| Keyword | Line | Entry | Other files defining or using it |\n| --- | --- | --- | --- |\n'
            for (l_2_name, l_2_line, l_2_entry, l_2_others) in environment.getattr(l_1_group, 'rows'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(l_2_name)
                yield ' | '
                yield str(l_2_line)
                yield ' | [docs]('
                yield str(l_2_entry)
                yield ') | '
                yield str(l_2_others)
                yield ' |\n'
            l_2_name = l_2_line = l_2_entry = l_2_others = missing
        yield '\n'
    l_1_group = missing
    if (undefined(name='unknown_counts') if l_0_unknown_counts is missing else l_0_unknown_counts):
        pass
        yield '— : not known: a name from outside the workspace (whose users are not indexed), or not found in it.\n\n'
    if (undefined(name='more') if l_0_more is missing else l_0_more):
        pass
        yield str((undefined(name='more') if l_0_more is missing else l_0_more))
        yield '.\n'

blocks = {}
debug_info = '2=33&4=35&6=47&7=51&9=55&10=58&12=60&13=64&18=78&19=82&24=93&28=96&29=98'